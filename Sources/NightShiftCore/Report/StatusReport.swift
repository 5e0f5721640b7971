import Foundation

/// The text `nightshift status` prints: hosts, jobs and the next check, in aligned columns.
public enum StatusReport {
    /// Renders `loaded` as of `now`; times are shown in `timeZone` as `YYYY-MM-DD HH:MM`.
    ///
    /// Host and job rows are sorted by name; `stateFile` is only used in the heading;
    /// `daemonPID` (from ``InstanceLock/holder(stateDir:)``) adds a line naming the running daemon;
    /// with `daemonLooked` the caller looked for one, so a planned check with no daemon says so.
    /// `forecast` (from the site script's watched hosts and force window) follows the presence table;
    /// `undelivered` counts the notifications waiting in the outbox.
    public static func render(_ loaded: LoadedState, stateFile: String? = nil, now: Date = Date(),
                              timeZone: ZoneRules = .local, daemonPID: Int32? = nil, daemonLooked: Bool = false,
                               forecast: PresenceForecast? = nil, recent: [HistoryRecord] = [], undelivered: Int = 0) -> String {
        let clock = WallClockText(timeZone: timeZone)
        let state = loaded.state
        let nowEpoch = now.timeIntervalSince1970
        var lines: [String] = []

        lines.append("NightShift status at \(clock.dateTime(nowEpoch, seconds: true))" + (stateFile.map { " (\($0))" } ?? ""))
        if !loaded.condition.isKnown {
            lines.append("State: \(loaded.condition)")
        }
        if let pid = daemonPID {
            lines.append("Running: nightshift pid \(pid) holds the state directory")
        }
        lines.append("")

        if state.hosts.isEmpty {
            lines.append("Hosts: none swept yet")
        } else {
            let rows = state.hosts.keys.sorted().map { name -> [String] in
                let host = state.hosts[name]!
                let up = host.up.map { $0 ? "up" : "down" } ?? "?"
                let since = host.since.map { "\(clock.dateTime($0)) (\(ago($0, nowEpoch)))" } ?? "-"
                let seen = host.lastSeen.map { "\(clock.dateTime($0)) (\(ago($0, nowEpoch)))" } ?? "never"
                return [name, up, since, seen]
            }
            if let sweep = state.recentSweeps.last {
                lines.append("Last sweep: \(clock.dateTime(sweep.time)) (\(ago(sweep.time, nowEpoch)))")
            }
            lines += TextTable.render(header: ["HOST", "STATE", "SINCE", "LAST SEEN"], rows: rows)
            let presence = PresenceReport.lines(state.hosts, names: state.hosts.keys.sorted(), now: nowEpoch, timeZone: timeZone)
            if !presence.isEmpty { lines += [""] + presence }
        }
        if let forecast { lines += [""] + forecast.lines }
        lines.append("")

        if state.jobs.isEmpty {
            lines.append("Jobs: none run yet")
        } else {
            let rows = state.jobs.keys.sorted().map { name -> [String] in
                let job = state.jobs[name]!
                let result = job.result?.rawValue ?? "-"
                let start = job.lastStart.map { clock.dateTime($0) } ?? "-"
                var good = job.lastGood.map { ago($0, nowEpoch) } ?? "never"
                if let stale = Staleness.check(name, job, now: nowEpoch) {
                    good += " STALE (max_age \(duration(stale.maxAge)))"
                }
                // Reason last: it is the only free-text column, so it may be long without skewing others.
                return [name, result, start, good, job.reason ?? ""]
            }
            lines += TextTable.render(header: ["JOB", "RESULT", "LAST START", "LAST GOOD", "REASON"], rows: rows)
        }
        lines.append("")

        if let cycle = state.lastCycle {
            var text = "Last cycle: started \(clock.dateTime(cycle.start))"
            if let end = cycle.end {
                text += ", took \(duration(end - cycle.start))"
            } else {
                text += ", still running or interrupted"
            }
            if let result = cycle.result { text += ": \(result)" }
            if let reason = cycle.reason { text += " (\(reason))" }
            lines.append(text)
            for failed in cycle.failedWrites ?? [] { lines.append("  WRITE FAILED: \(failed)") }
            if let decision = cycle.decision { lines.append("Decision: \(decision)") }
            if let next = cycle.nextCheck {
                let delta = next - nowEpoch
                let when = delta >= 0 ? "in \(duration(delta))" : "overdue by \(duration(-delta))"
                // A daemon killed outright (kill -9, a crash) recorded nothing of its end.
                let orphaned = daemonLooked && daemonPID == nil ? ", but no nightshift holds the state directory" : ""
                lines.append("Next check: \(clock.dateTime(next)) (\(when))\(orphaned)")
            } else if let stopped = cycle.stoppedAt {
                lines.append("Next check: none, nightshift was stopped at \(clock.dateTime(stopped))"
                             + (cycle.stoppedBy.map { " (\($0))" } ?? ""))
            } else {
                lines.append("Next check: not scheduled")
            }
        } else {
            lines.append("Last cycle: none yet")
        }
        if let text = lastNight(state.night, clock: clock) { lines.append(text) }
        if let wake = state.selfWake, wake > nowEpoch {
            lines.append("Next wake-up: \(clock.dateTime(wake)) (in \(duration(wake - nowEpoch)), wake alarm)")
        }
        if let pending = state.sleepPending {
            lines.append("Sleep pending since \(clock.dateTime(pending)) (this machine was busy; tried again at every check)")
        }
        if let used = state.windowUsedUp {
            lines.append("Force window last used: \(clock.dateTime(used))")
        }
        if state.night.failedAttempts > 0 {
            lines.append("Failed nights in a row: \(state.night.failedAttempts) (retried at the next checks, up to max_attempts)")
        }
        let cycles = recent.compactMap { if case .cycle(let c) = $0 { return c } else { return nil } }
        let why = StatusPageWhy.lines(cycles, clock: clock, limit: 5)
        if !why.isEmpty { lines += ["", "Recent decisions (newest first):"] + why.map { "  " + $0 } }
        if let awake = cycles.last(where: { $0.sleep != nil }), let note = awake.keptAwake {
            lines.append("Kept this machine awake at \(clock.dateTime(awake.end)): \(note)")
        }
        if undelivered > 0 {
            lines.append("Notifications waiting: \(undelivered) in the outbox (not delivered yet; resent at every cycle)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Last night: started ..., took ...: ok`: the last cycle that backed up, which is not the
    /// last cycle when later checks found a reason not to.
    private static func lastNight(_ night: NightMemory, clock: WallClockText) -> String? {
        guard let start = night.lastStart else { return nil }
        var text = "Last night: started \(clock.dateTime(start))"
        // A night that starts keeps the previous one's end: an end before the start is not its own.
        if let end = night.lastEnd, end >= start {
            text += ", took \(duration(end - start))" + (night.lastResult.map { ": \($0.rawValue)" } ?? "")
        } else {
            text += night.running == nil ? ", never finished" : ", still running or interrupted"
        }
        return text
    }

    private static func ago(_ epoch: Double, _ now: Double) -> String {
        let delta = now - epoch
        return delta >= 0 ? "\(duration(delta)) ago" : "in \(duration(-delta))"
    }

    /// `DurationText.format`, or "?" for a span no clock produced: state.json is hand-editable,
    /// and a huge number must not trap the integer conversion inside the formatter.
    private static func duration(_ seconds: Double) -> String {
        abs(seconds) < WallClockText.plausible ? DurationText.format(seconds) : "?"
    }
}

/// Formats epochs as local wall-clock text without DateFormatter's locale surprises.
struct WallClockText {
    let zone: ZoneRules

    init(timeZone: ZoneRules) {
        zone = timeZone
    }

    /// Epochs and spans beyond this many seconds (about 30,000 years) are shown as "?".
    static let plausible = 1e12

    /// `HH:MM`; "?" for an absurd epoch.
    func time(_ epoch: Double) -> String {
        guard abs(epoch) < Self.plausible else { return "?" }
        let second = zone.localDay(at: Self.seconds(epoch)).second
        return "\(Self.two(second / 3_600)):\(Self.two(second % 3_600 / 60))"
    }

    /// `YYYY-MM-DD HH:MM`, or with `:SS` when `seconds` is true; "?" for an absurd epoch.
    func dateTime(_ epoch: Double, seconds: Bool = false) -> String {
        guard abs(epoch) < Self.plausible else { return "?" }
        let (day, second) = zone.localDay(at: Self.seconds(epoch))
        let base = "\(CivilDay.text(day)) \(Self.two(second / 3_600)):\(Self.two(second % 3_600 / 60))"
        return seconds ? base + ":\(Self.two(second % 60))" : base
    }

    /// `YYYY-MM-DD`, or "?" for an absurd epoch.
    func day(_ epoch: Double) -> String {
        guard abs(epoch) < Self.plausible else { return "?" }
        return CivilDay.text(zone.localDay(at: Self.seconds(epoch)).day)
    }

    /// Whole seconds, rounded down (1e12 fits an Int; `plausible` keeps absurd values out).
    private static func seconds(_ epoch: Double) -> Int { Int(epoch.rounded(.down)) }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
