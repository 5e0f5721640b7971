import Foundation

/// The words the page's `data-state` / `data-result` hooks use (DESIGN v3: fixed).
public enum PageJobState: String, Sendable {
    case ok, warning, failed, stale, running, never
}

/// A host's state on the page.
public enum PageHostState: String, Sendable {
    case online, offline, unknown
}

/// One day's cell of `#nights`.
public enum PageNightResult: String, Sendable {
    case ok, warning, failed, missed, none
}

extension StatusPageInput {
    /// A job's state: running first, then a failed last run (an interrupted one did not
    /// back up either), then stale, never, and the last result.
    func state(ofJob name: String) -> PageJobState {
        guard let job = loaded.state.jobs[name] else { return .never }
        switch job.result {
        case .running?: return .running
        case .failed?, .interrupted?: return .failed
        default: break
        }
        if Staleness.check(name, job, now: now) != nil { return .stale }
        switch job.result {
        case .ok?: return .ok
        case .warning?: return .warning
        default: return .never
        }
    }

    /// A host's state at the last sweep; a host never probed (or whose probe could not be
    /// made: the sweep leaves it out) is unknown, never offline.
    func state(ofHost name: String) -> PageHostState {
        if loaded.state.hosts[name]?.probeUnknown == true { return .unknown }
        switch loaded.state.hosts[name]?.up {
        case true?: return .online
        case false?: return .offline
        case nil: return .unknown
        }
    }

    /// `YYYY-MM-DD` of `epoch` in the page's zone.
    func day(_ epoch: Double) -> String {
        WallClockText(timeZone: timeZone).day(epoch)
    }

    /// The last `StatusPage.days` days, oldest first, as `YYYY-MM-DD`.
    var lastDays: [String] {
        guard abs(now) < WallClockText.plausible else { return Array(repeating: "?", count: StatusPage.days) }
        let today = timeZone.localDay(at: Int(now.rounded(.down))).day
        return (0..<StatusPage.days).reversed().map { CivilDay.text(today - $0) }
    }

    /// Per day: the worst night that started that day; a past day without a night, after the
    /// first record the page has, is missed; a day before it (or today, still open) is none.
    /// The title carries the day's decisions.
    func nightCells() -> [(day: String, result: PageNightResult, title: String)] {
        let cycles = cycles
        var byDay: [String: [CycleRecord]] = [:]
        for c in cycles { byDay[day(c.start), default: []].append(c) }
        let firstDay = cycles.first.map { day($0.start) }
        let today = day(now)
        return lastDays.map { d in
            let list = byDay[d] ?? []
            let nights = list.filter(\.ran)
            var result: PageNightResult
            if !nights.isEmpty {
                let words = Set(nights.map(\.result))
                result = words.contains("failed") || words.contains("interrupted") ? .failed
                    : (words.contains("warning") ? .warning : .ok)
            } else if let firstDay, d >= firstDay, d < today {
                result = .missed
            } else {
                result = .none
            }
            let clock = WallClockText(timeZone: timeZone)
            let why = (nights.isEmpty ? list.suffix(1) : nights[...]).map { c -> String in
                var text = clock.time(c.start) + " " + (c.ran ? "backed up: " : "no backup: ") + (c.decision ?? "?")
                if let reason = c.reason { text += " - " + reason }
                return text
            }
            let title = why.isEmpty ? "\(d): no record" : "\(d): " + why.joined(separator: "; ")
            return (d, result, title)
        }
    }
}

extension CycleRecord {
    /// What kept this machine awake at the end of the cycle (a busy check, a watched host
    /// online, a state it could not tell), or nil when it slept or was not meant to.
    public var keptAwake: String? {
        guard let sleep else { return nil }
        let reasons = ["busy:", "watched hosts online", "state unknown"]
        return reasons.contains(where: { sleep.hasPrefix($0) }) ? sleep : nil
    }
}
