/// The ranges a value of `state.json` or `history.jsonl` must fall in to be used.
///
/// A hand edit, a torn disk or a clock that was wrong when a record was written can leave
/// values that would trap Swift arithmetic (a count of Int64.max), kill the wrong processes
/// (a process group of 0 or 1) or block the trigger for years (a `window_used` "in the
/// future"). Each is checked once, at load, and a bad one is reset with a warning naming it.
public enum StateSanity {
    /// How far a recorded instant may lie ahead of now: beyond it, it was written by a clock
    /// that was wrong (or a hand), and counting from it would block or silence things.
    public static let futureSlack: Double = 600
    /// The largest count kept (failed nights in a row, ...): far above any real one.
    public static let maxCount = 100_000
    /// The largest duration kept (max_age, clock offsets): a century.
    public static let maxDuration: Double = 100 * 365.25 * 86_400
    /// The largest file or byte count a history record may carry: 2^53 keeps every sum exact
    /// and far from overflowing Int.
    public static let maxQuantity = 1 << 53

    /// Why `value` cannot be an instant recorded in the past, or nil when it can.
    static func pastInstantProblem(_ value: Double, now: Double) -> String? {
        guard value.isFinite, value >= 0 else { return "is not a time" }
        guard value <= now + futureSlack else { return "lies in the future (the clock was wrong when it was written)" }
        return nil
    }

    /// Why `value` cannot be an instant that may lie ahead (a planned check, a wake alarm).
    static func plannedInstantProblem(_ value: Double, now: Double) -> String? {
        guard value.isFinite, value >= 0, value <= now + maxDuration else { return "is not a time" }
        return nil
    }
}

/// Collects the warnings of one load and resets the fields that fail.
struct SanityCheck {
    let now: Double
    var warnings: [String] = []

    /// Keeps `value` when it is an instant not after now (plus slack), else resets it to nil.
    mutating func past(_ value: inout Double?, _ field: String) {
        guard let v = value, let problem = StateSanity.pastInstantProblem(v, now: now) else { return }
        warnings.append("\(field) = \(Self.shown(v)) \(problem); reset")
        value = nil
    }

    /// Keeps `value` when it is a plausible planned instant, else resets it to nil.
    mutating func planned(_ value: inout Double?, _ field: String) {
        guard let v = value, let problem = StateSanity.plannedInstantProblem(v, now: now) else { return }
        warnings.append("\(field) = \(Self.shown(v)) \(problem); reset")
        value = nil
    }

    /// Keeps a positive duration up to a century, else resets it to nil.
    mutating func duration(_ value: inout Double?, _ field: String, signed: Bool = false) {
        guard let v = value else { return }
        let ok = v.isFinite && (signed ? abs(v) : v) <= StateSanity.maxDuration && (signed || v >= 0)
        if ok { return }
        warnings.append("\(field) = \(Self.shown(v)) is not a plausible duration; reset")
        value = nil
    }

    static func shown(_ v: Double) -> String {
        if let whole = Int64(exactly: v) { return String(whole) }
        return "\(v)"
    }
}

extension NightShiftState {
    /// Range-checks every value at load: bad ones are reset (to "never" / 0 / absent) and
    /// each reset is described, naming its field, for the log and `status`.
    public mutating func sanitize(now: Double) -> [String] {
        var check = SanityCheck(now: now)
        for name in hosts.keys.sorted() {
            guard var h = hosts[name] else { continue }
            let at = "hosts.\(name)."
            check.past(&h.since, at + "since")
            check.past(&h.lastSeen, at + "last_seen")
            check.past(&h.lastSweep, at + "last_sweep")
            check.past(&h.wokenAt, at + "woken_at")
            check.past(&h.clockSynced, at + "clock_synced")
            check.duration(&h.clockOffset, at + "clock_offset", signed: true)
            hosts[name] = h
        }
        for name in jobs.keys.sorted() {
            guard var j = jobs[name] else { continue }
            let at = "jobs.\(name)."
            check.past(&j.lastStart, at + "last_start")
            check.past(&j.lastEnd, at + "last_end")
            let hadGood = j.lastGood != nil, hadDeclared = j.declared != nil
            check.past(&j.lastGood, at + "last_good")
            check.past(&j.declared, at + "declared")
            if j.lastGood == nil, j.declared == nil, hadGood || hadDeclared {
                // Staleness is counted afresh from now rather than silenced for good.
                j.declared = now
            }
            check.past(&j.staleNotified, at + "stale_notified")
            check.duration(&j.maxAge, at + "max_age")
            if let p = j.process, p.ownerPid <= 1 || p.group <= 1 {
                // kill(-0) or kill(-1) would signal this process group or every process.
                check.warnings.append("\(at)process names process group \(p.group) of pid \(p.ownerPid), which cannot be a job's; reset")
                j.process = nil
            }
            jobs[name] = j
        }
        check.past(&lastWindowRun, "force_window.last_window_run")
        let sweeps = recentSweeps.count
        recentSweeps.removeAll { StateSanity.pastInstantProblem($0.time, now: now) != nil }
        if recentSweeps.count < sweeps {
            check.warnings.append("recent_sweeps: \(sweeps - recentSweeps.count) sweep(s) with a time that is not a past instant; dropped")
        }
        if var cycle = lastCycle {
            var start: Double? = cycle.start
            check.past(&start, "last_cycle.start")
            if let start {
                cycle.start = start
                check.past(&cycle.end, "last_cycle.end")
                check.past(&cycle.stoppedAt, "last_cycle.stopped_at")
                check.planned(&cycle.nextCheck, "last_cycle.next_check")
                lastCycle = cycle
            } else {
                lastCycle = nil
            }
        }
        check.planned(&selfWake, "self_wake")
        check.past(&sleepPending, "sleep_pending")
        night.sanitize(&check)
        return check.warnings
    }
}

extension NightMemory {
    /// Range-checks the trigger's memory (see ``NightShiftState/sanitize(now:)``).
    mutating func sanitize(_ check: inout SanityCheck) {
        check.past(&lastStart, "night.last_start")
        check.past(&lastEnd, "night.last_end")
        check.past(&lastGoodAutomatic, "night.last_good_automatic")
        check.past(&windowUsed, "night.window_used")
        let hadFirst = firstFailed != nil
        check.past(&firstFailed, "night.first_failed")
        if !(0...StateSanity.maxCount).contains(failedAttempts) {
            let shown = failedAttempts == Int.max ? "a number out of range" : String(failedAttempts)
            check.warnings.append("night.failed_attempts = \(shown) is not a count of nights; reset to 0 (a new series)")
            failedAttempts = 0
            firstFailed = nil
        } else if hadFirst && firstFailed == nil {
            // A series whose start is unknown cannot expire: it starts anew.
            failedAttempts = 0
        }
        if let r = running {
            var start: Double? = r.start
            check.past(&start, "night.running.start")
            // Still a night that a dead process left: it counts as interrupted, from now.
            running?.start = start ?? check.now
            var key = r.windowKey
            check.past(&key, "night.running.window_key")
            running?.windowKey = key
        }
    }
}

extension HistoryRecord {
    /// Why the record's values cannot be used (a time that is no instant, a negative or
    /// overflowing count), or nil when they can: such a line is skipped like a torn one.
    public var rangeProblem: String? {
        let limit = StateSanity.maxDuration * 100
        func instant(_ v: Double) -> Bool { v.isFinite && v >= 0 && v <= limit }
        func quantity(_ v: Int?) -> Bool { v.map { (0...StateSanity.maxQuantity).contains($0) } ?? true }
        switch self {
        case .cycle(let r):
            guard instant(r.start), instant(r.end), r.nextCheck.map(instant) ?? true else { return "a cycle time is not an instant" }
        case .job(let r):
            guard instant(r.start), instant(r.end) else { return "a job time is not an instant" }
            guard quantity(r.files), quantity(r.bytes) else { return "files or bytes out of range" }
        }
        return nil
    }
}
