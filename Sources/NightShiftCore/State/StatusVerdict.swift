import Foundation

/// Whether all is well, for `nightshift status`'s exit code: 1 when a job's last result is
/// failed or a job is stale, else 0 - usable as a monitoring check as it is.
public struct StatusVerdict: Equatable, Sendable {
    /// Jobs whose last run failed, sorted.
    public var failed: [String]
    /// Stale jobs, sorted by name.
    public var stale: [StaleJob]

    /// The verdict on `state` as of `now`.
    public init(_ state: NightShiftState, now: Double) {
        failed = state.jobs.filter { $0.value.result == .failed }.map(\.key).sorted()
        stale = Staleness.stale(in: state, now: now)
    }

    /// 0 when all is well, 1 otherwise.
    public var exitCode: Int32 { failed.isEmpty && stale.isEmpty ? 0 : 1 }
}

/// `nightshift status --json`: the state with each job's staleness, as one JSON object.
public enum StatusJSON {
    private struct Job: Encodable {
        var result: String?
        var reason: String?
        var last_start: Double?
        var last_end: Double?
        var last_good: Double?
        var max_age: Double
        var stale: Bool
        var age: Double?
    }

    private struct Host: Encodable {
        var up: Bool?
        var since: Double?
        var last_seen: Double?
    }

    private struct Cycle: Encodable {
        var start: Double
        var end: Double?
        var result: String?
        var reason: String?
        var next_check: Double?
        var stopped_at: Double?
        var stopped_by: String?
    }

    private struct Document: Encodable {
        var time: Double
        var state_file: String?
        var state: String
        var ok: Bool
        var failed: [String]
        var stale: [String]
        var hosts: [String: Host]
        var jobs: [String: Job]
        var last_cycle: Cycle?
        var failed_attempts: Int
    }

    /// The document for `loaded` as of `now`.
    public static func render(_ loaded: LoadedState, stateFile: String? = nil, now: Double) throws -> String {
        let state = loaded.state
        let verdict = StatusVerdict(state, now: now)
        var jobs: [String: Job] = [:]
        for (name, j) in state.jobs {
            let since = j.lastGood ?? j.declared
            jobs[name] = Job(result: j.result?.rawValue, reason: j.reason, last_start: j.lastStart, last_end: j.lastEnd,
                             last_good: j.lastGood, max_age: j.maxAge ?? Staleness.defaultMaxAge,
                             stale: Staleness.check(name, j, now: now) != nil, age: since.map { now - $0 })
        }
        let doc = Document(
            time: now, state_file: stateFile, state: loaded.condition.isKnown ? "ok" : "\(loaded.condition)",
            ok: verdict.exitCode == 0, failed: verdict.failed, stale: verdict.stale.map(\.name),
            hosts: state.hosts.mapValues { Host(up: $0.up, since: $0.since, last_seen: $0.lastSeen) },
            jobs: jobs,
            last_cycle: state.lastCycle.map {
                Cycle(start: $0.start, end: $0.end, result: $0.result, reason: $0.reason, next_check: $0.nextCheck,
                      stopped_at: $0.stoppedAt, stopped_by: $0.stoppedBy)
            },
            failed_attempts: state.night.failedAttempts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: try encoder.encode(doc), as: UTF8.self) + "\n"
    }
}
