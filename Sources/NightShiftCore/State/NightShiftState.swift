import Foundation

/// How a job's last run ended, as written to `state.json` and `history.jsonl`.
public enum JobResult: String, Codable, Sendable, CaseIterable {
    /// Finished with an accepted exit code.
    case ok
    /// Finished, but the job reported warnings (still counts as a good backup).
    case warning
    /// Did not finish successfully (non-zero exit, host stayed offline, ...).
    case failed
    /// Stopped by SIGINT/SIGTERM or by the daemon dying while it ran.
    case interrupted
    /// Started and not yet finished.
    case running

    /// Whether this result makes the run the latest good backup.
    public var isGood: Bool { self == .ok || self == .warning }
}

/// What the last sweeps said about one host.
public struct HostState: Codable, Equatable, Sendable {
    /// Up at the last sweep; nil when never probed.
    public var up: Bool?
    /// Since when (epoch) the host has been in its current up/down state, as far as sweeps saw.
    public var since: Double?
    /// The last sweep (epoch) at which the host answered.
    public var lastSeen: Double?
    /// The last sweep (epoch) that probed the host.
    public var lastSweep: Double?
    /// When NightShift woke the host (epoch); cleared once a sweep finds it down. A host
    /// still up from a night that was cut short is NightShift's, not a user's.
    public var wokenAt: Double?
    /// The clock offset left after NightShift last synchronised the host's clock (seconds,
    /// theirs minus the source's), and when (epoch). No code decides by them: they are the
    /// record an administrator reads in state.json (docs/lua-api.md, "time") to see when a
    /// host's clock was last set and how far off it was; `StateSanity` checks them on load.
    public var clockOffset: Double?
    public var clockSynced: Double?
    /// The local hours the host was seen up over the last weeks (nil: never swept).
    public var presence: HostPresence?
    /// How the last sweep's probe of the host went, in words (the status page's "why").
    public var probe: String?
    /// Whether that probe could not be made here (unknown: `up` is then the sweep before's).
    public var probeUnknown: Bool?

    /// Creates a host record.
    public init(up: Bool? = nil, since: Double? = nil, lastSeen: Double? = nil, lastSweep: Double? = nil,
                wokenAt: Double? = nil) {
        self.up = up
        self.since = since
        self.lastSeen = lastSeen
        self.lastSweep = lastSweep
        self.wokenAt = wokenAt
    }

    private enum CodingKeys: String, CodingKey {
        case up, since
        case lastSeen = "last_seen"
        case lastSweep = "last_sweep"
        case wokenAt = "woken_at"
        case clockOffset = "clock_offset"
        case clockSynced = "clock_synced"
        case presence, probe
        case probeUnknown = "probe_unknown"
    }

    /// Decodes a host record. A `presence` field that does not parse is dropped (it is
    /// rebuilt by the next sweeps) rather than making the whole state corrupt.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        up = try c.decodeIfPresent(Bool.self, forKey: .up)
        since = try c.decodeIfPresent(Double.self, forKey: .since)
        lastSeen = try c.decodeIfPresent(Double.self, forKey: .lastSeen)
        lastSweep = try c.decodeIfPresent(Double.self, forKey: .lastSweep)
        wokenAt = try c.decodeIfPresent(Double.self, forKey: .wokenAt)
        clockOffset = try c.decodeIfPresent(Double.self, forKey: .clockOffset)
        clockSynced = try c.decodeIfPresent(Double.self, forKey: .clockSynced)
        probe = try? c.decodeIfPresent(String.self, forKey: .probe)
        probeUnknown = try? c.decodeIfPresent(Bool.self, forKey: .probeUnknown)
        let presence = (try? c.decodeIfPresent(HostPresence.self, forKey: .presence)) ?? nil
        self.presence = presence?.isEmpty == true ? nil : presence
    }

    /// Encodes the record; an empty presence is left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(up, forKey: .up)
        try c.encodeIfPresent(since, forKey: .since)
        try c.encodeIfPresent(lastSeen, forKey: .lastSeen)
        try c.encodeIfPresent(lastSweep, forKey: .lastSweep)
        try c.encodeIfPresent(wokenAt, forKey: .wokenAt)
        try c.encodeIfPresent(clockOffset, forKey: .clockOffset)
        try c.encodeIfPresent(clockSynced, forKey: .clockSynced)
        if let presence, !presence.isEmpty { try c.encode(presence, forKey: .presence) }
        try c.encodeIfPresent(probe, forKey: .probe)
        try c.encodeIfPresent(probeUnknown, forKey: .probeUnknown)
    }
}

/// Who runs a job right now: the nightshift instance and the job's process group, each
/// with its start time (/proc/PID/stat field 22), so that a later instance can tell a
/// dead owner and a leftover copy from processes that merely got the same pids.
public struct JobProcess: Codable, Equatable, Sendable {
    /// The pid of the nightshift process that runs the job.
    public var ownerPid: Int32
    /// Its start time (clock ticks since boot).
    public var ownerStart: UInt64
    /// The job's process group (and session) id: its leader's pid.
    public var group: Int32
    /// The leader's start time (clock ticks since boot).
    public var groupStart: UInt64
    /// The `NIGHTSHIFT_RUN_ID` every process of the job inherits.
    public var runID: String?

    /// Creates a record.
    public init(ownerPid: Int32, ownerStart: UInt64, group: Int32, groupStart: UInt64, runID: String? = nil) {
        self.ownerPid = ownerPid
        self.ownerStart = ownerStart
        self.group = group
        self.groupStart = groupStart
        self.runID = runID
    }

    private enum CodingKeys: String, CodingKey {
        case group
        case ownerPid = "owner_pid"
        case ownerStart = "owner_start_time"
        case groupStart = "group_start_time"
        case runID = "run_id"
    }
}

/// The last run of one job and the last good one.
public struct JobState: Codable, Equatable, Sendable {
    /// When the last run started (epoch).
    public var lastStart: Double?
    /// When the last run ended (epoch); nil while running.
    public var lastEnd: Double?
    /// How the last run ended.
    public var result: JobResult?
    /// Why, in words (exit code, offline host, ...).
    public var reason: String?
    /// When the last good run ended (epoch).
    public var lastGood: Double?
    /// While the job runs a program: who runs it (cleared when the job ends).
    public var process: JobProcess?
    /// The `NIGHTSHIFT_RUN_ID` of the program the job is starting, saved before the spawn:
    /// a kill between the spawn and the `process` record still leaves its processes findable.
    public var startingRunID: String?
    /// The first cycle (epoch) that declared the job: a job that never ran is stale counted from it.
    public var declared: Double?
    /// The job's `max_age` (seconds) as the last cycle declared it, so `status` needs no script.
    public var maxAge: Double?
    /// When the `stale` event last fired for the job (epoch): once per day.
    public var staleNotified: Double?

    /// Creates a job record.
    public init(lastStart: Double? = nil, lastEnd: Double? = nil, result: JobResult? = nil,
                reason: String? = nil, lastGood: Double? = nil, process: JobProcess? = nil) {
        self.lastStart = lastStart
        self.lastEnd = lastEnd
        self.result = result
        self.reason = reason
        self.lastGood = lastGood
        self.process = process
    }

    private enum CodingKeys: String, CodingKey {
        case result, reason, process, declared
        case startingRunID = "starting_run_id"
        case maxAge = "max_age"
        case staleNotified = "stale_notified"
        case lastStart = "last_start"
        case lastEnd = "last_end"
        case lastGood = "last_good"
    }
}

/// The last cycle's timing and the planned next check.
public struct CycleState: Codable, Equatable, Sendable {
    /// When the cycle started (epoch).
    public var start: Double
    /// When it ended (epoch); nil while it runs.
    public var end: Double?
    /// When the next sweep is due (epoch).
    public var nextCheck: Double?
    /// Why it failed (the failing job and its reason), or was interrupted or not recorded.
    public var reason: String?
    /// Why a night started or not (the trigger decision), for `nightshift status`.
    public var decision: String?
    /// How it ended: "ok", "warning", "failed", "skipped" or "interrupted".
    public var result: String?
    /// When the loop was stopped after this cycle, during the countdown (epoch); nil while it runs on.
    public var stoppedAt: Double?
    /// Why it was stopped then, e.g. "interrupted by SIGTERM".
    public var stoppedBy: String?
    /// Files the cycle could not write after it was recorded (the metrics textfile...), each
    /// "what path: why", so `status` shows what the log alone would hide.
    public var failedWrites: [String]?

    /// Creates a cycle record.
    public init(start: Double, end: Double? = nil, nextCheck: Double? = nil, reason: String? = nil, result: String? = nil,
                decision: String? = nil) {
        self.start = start
        self.end = end
        self.nextCheck = nextCheck
        self.reason = reason
        self.result = result
        self.decision = decision
    }

    private enum CodingKeys: String, CodingKey {
        case start, end, reason, result, decision
        case nextCheck = "next_check"
        case stoppedAt = "stopped_at"
        case stoppedBy = "stopped_by"
        case failedWrites = "failed_writes"
    }
}

/// Everything NightShift remembers between cycles and restarts; the content of `state.json`.
///
/// Decoding tolerates missing keys so that older or hand-edited files still load.
public struct NightShiftState: Codable, Equatable, Sendable {
    /// The file format version written by this build.
    public static let currentVersion = 1

    /// Format version of the file.
    public var version: Int
    /// Per host name.
    public var hosts: [String: HostState]
    /// Per job name.
    public var jobs: [String: JobState]
    /// When a backup last ran inside the force window (epoch; the trigger's window key).
    public var lastWindowRun: Double?
    /// Recent sweeps, oldest first, for `offline_sweeps` hysteresis.
    public var recentSweeps: [SweepRecord]
    /// The last (or current) cycle.
    public var lastCycle: CycleState?
    /// The trigger's memory of past nights.
    public var night: NightMemory
    /// The wake alarm set before this machine last went to sleep (epoch), for `status`.
    public var selfWake: Double?
    /// Since when the sleep after a night is owed (epoch): a busy check held it back, so
    /// the following cycles that do not back up try again.
    public var sleepPending: Double?
    /// The totals history.jsonl's records add up to, kept so that no cycle re-reads it; nil in
    /// files older than these counters (the first update reads the history once).
    public var history: HistoryCounters?

    /// Creates a state; the defaults are a fresh, empty state.
    public init(hosts: [String: HostState] = [:], jobs: [String: JobState] = [:], lastWindowRun: Double? = nil,
                recentSweeps: [SweepRecord] = [], lastCycle: CycleState? = nil) {
        self.version = Self.currentVersion
        self.hosts = hosts
        self.jobs = jobs
        self.lastWindowRun = lastWindowRun
        self.recentSweeps = recentSweeps
        self.lastCycle = lastCycle
        self.night = NightMemory()
    }

    private enum CodingKeys: String, CodingKey {
        case version, hosts, jobs
        case forceWindow = "force_window"
        case recentSweeps = "recent_sweeps"
        case lastCycle = "last_cycle"
        case night
        case selfWake = "self_wake"
        case sleepPending = "sleep_pending"
        case history
    }

    private enum ForceWindowKeys: String, CodingKey {
        case lastWindowRun = "last_window_run"
    }

    /// Decodes a state, filling absent keys with empty values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? Self.currentVersion
        hosts = try c.decodeIfPresent([String: HostState].self, forKey: .hosts) ?? [:]
        jobs = try c.decodeIfPresent([String: JobState].self, forKey: .jobs) ?? [:]
        recentSweeps = try c.decodeIfPresent([SweepRecord].self, forKey: .recentSweeps) ?? []
        lastCycle = try c.decodeIfPresent(CycleState.self, forKey: .lastCycle)
        night = try c.decodeIfPresent(NightMemory.self, forKey: .night) ?? NightMemory()
        selfWake = try c.decodeIfPresent(Double.self, forKey: .selfWake)
        sleepPending = try c.decodeIfPresent(Double.self, forKey: .sleepPending)
        history = try c.decodeIfPresent(HistoryCounters.self, forKey: .history)
        if c.contains(.forceWindow) {
            let fw = try c.nestedContainer(keyedBy: ForceWindowKeys.self, forKey: .forceWindow)
            lastWindowRun = try fw.decodeIfPresent(Double.self, forKey: .lastWindowRun)
        } else {
            lastWindowRun = nil
        }
    }

    /// Encodes the state with snake_case keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(hosts, forKey: .hosts)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(recentSweeps, forKey: .recentSweeps)
        try c.encodeIfPresent(lastCycle, forKey: .lastCycle)
        try c.encode(night, forKey: .night)
        try c.encodeIfPresent(selfWake, forKey: .selfWake)
        try c.encodeIfPresent(sleepPending, forKey: .sleepPending)
        try c.encodeIfPresent(history, forKey: .history)
        var fw = c.nestedContainer(keyedBy: ForceWindowKeys.self, forKey: .forceWindow)
        try fw.encodeIfPresent(lastWindowRun, forKey: .lastWindowRun)
    }
}

extension NightShiftState {
    /// Records a sweep: updates each probed host (and its presence, in the local hours of
    /// `timeZone`) and keeps the last `keep` sweeps. Hosts the sweep could not tell about
    /// are not in `sweep.up`, so they count neither as seen up nor as seen down.
    public mutating func recordSweep(_ sweep: SweepRecord, keep: Int = 10, timeZone: TimeZone = .current) {
        for (name, up) in sweep.up {
            var host = hosts[name] ?? HostState()
            var presence = host.presence ?? HostPresence()
            if presence.record(up: up, at: sweep.time, timeZone: timeZone) { host.presence = presence }
            if host.up != up || host.since == nil { host.since = sweep.time }
            host.up = up
            host.lastSweep = sweep.time
            if !up { host.wokenAt = nil }
            if up { host.lastSeen = sweep.time }
            hosts[name] = host
        }
        recentSweeps.append(sweep)
        if recentSweeps.count > max(1, keep) {
            recentSweeps.removeFirst(recentSweeps.count - max(1, keep))
        }
    }

    /// Records that a job started now; its result is `running` until it ends.
    public mutating func recordJobStart(_ name: String, at time: Double) {
        var job = jobs[name] ?? JobState()
        job.lastStart = time
        job.lastEnd = nil
        job.result = .running
        job.reason = nil
        job.process = nil
        job.startingRunID = nil
        jobs[name] = job
    }

    /// Records how a job ended; an ok or warning result becomes the last good backup.
    public mutating func recordJobEnd(_ name: String, at time: Double, result: JobResult, reason: String? = nil) {
        var job = jobs[name] ?? JobState()
        job.lastEnd = time
        job.result = result
        job.reason = reason
        job.process = nil
        job.startingRunID = nil
        if result.isGood { job.lastGood = time }
        jobs[name] = job
    }

    /// Names of jobs whose last run is still marked `running`, sorted.
    public var runningJobs: [String] {
        jobs.filter { $0.value.result == .running }.map(\.key).sorted()
    }

    /// Marks every running job interrupted (on a signal, or at start-up after a crash);
    /// returns the names it changed.
    @discardableResult
    public mutating func markRunningJobsInterrupted(at time: Double, reason: String = "interrupted") -> [String] {
        let names = runningJobs
        for name in names { recordJobEnd(name, at: time, result: .interrupted, reason: reason) }
        return names
    }

    /// Forgets hosts and jobs no longer in the script, so `nightshift status` shows only live ones.
    public mutating func retain(hosts hostNames: Set<String>, jobs jobNames: Set<String>) {
        hosts = hosts.filter { hostNames.contains($0.key) }
        jobs = jobs.filter { jobNames.contains($0.key) }
    }
}
