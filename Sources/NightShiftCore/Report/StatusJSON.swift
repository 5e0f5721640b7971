import Foundation

/// `nightshift status --json`: the state with each job's staleness, as one JSON object.
public enum StatusJSON {
    private struct Job: Encodable {
        var result: String?
        var reason: String?
        var last_start: Double?
        var last_end: Double?
        var last_good: Double?
        var max_age: Double?
        var stale: Bool
        var age: Double?
    }

    private struct Host: Encodable {
        var up: Bool?
        var since: Double?
        var last_seen: Double?
        var presence: Presence?
    }

    /// A host's presence: per local hour 0-23, on how many of the recorded days it was seen up
    /// and on how many a sweep could tell; `strip` and `usually_up` as the text shows them.
    private struct Presence: Encodable {
        var days: Int
        var strip: String
        var usually_up: String
        var up_days: [Int]
        var swept_days: [Int]

        init?(_ p: HostPresence?) {
            guard let p, !p.isEmpty else { return nil }
            let hourly = p.hourly()
            days = p.entries.count
            strip = p.strip
            usually_up = PresenceReport.usualHours(p)
            up_days = hourly.map(\.up)
            swept_days = hourly.map(\.swept)
        }
    }

    private struct Forecast: Encodable {
        var likely_start: Double?
        var by_window: Bool
        var summary: String
        var hosts: [String: ForecastHost]
    }

    private struct ForecastHost: Encodable {
        var off_from: Double?
        var days: Int
        var text: String
    }

    private struct Cycle: Encodable {
        var start: Double
        var end: Double?
        var result: String?
        var reason: String?
        var decision: String?
        var next_check: Double?
        var stopped_at: Double?
        var stopped_by: String?
    }

    private struct Night: Encodable {
        var start: Double
        var end: Double?
        var result: String?
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
        var last_night: Night?
        var failed_attempts: Int
        var forecast: Forecast?
        /// Notifications waiting in state_dir/outbox for another attempt.
        var notifications_undelivered: Int
    }

    /// The document for `loaded` as of `now`; `forecast` when the site script is known;
    /// `undelivered`: the notifications waiting in the outbox.
    public static func render(_ loaded: LoadedState, stateFile: String? = nil, now: Double,
                              forecast: PresenceForecast? = nil, undelivered: Int = 0) throws -> String {
        let state = loaded.state
        let verdict = StatusVerdict(state, now: now)
        var jobs: [String: Job] = [:]
        for (name, j) in state.jobs {
            let since = j.lastGood ?? j.declared
            jobs[name] = Job(result: j.result?.rawValue, reason: j.reason, last_start: j.lastStart, last_end: j.lastEnd,
                             last_good: j.lastGood, max_age: j.maxAge,
                             stale: Staleness.check(name, j, now: now) != nil, age: since.map { now - $0 })
        }
        let doc = Document(
            time: now, state_file: stateFile, state: loaded.condition.isKnown ? "ok" : "\(loaded.condition)",
            ok: verdict.exitCode == 0, failed: verdict.failed, stale: verdict.stale.map(\.name),
            hosts: state.hosts.mapValues {
                Host(up: $0.up, since: $0.since, last_seen: $0.lastSeen, presence: Presence($0.presence?.recent(asOf: now)))
            },
            jobs: jobs,
            last_cycle: state.lastCycle.map {
                Cycle(start: $0.start, end: $0.end, result: $0.result, reason: $0.reason, decision: $0.decision,
                      next_check: $0.nextCheck,
                      stopped_at: $0.stoppedAt, stopped_by: $0.stoppedBy)
            },
            last_night: state.night.lastStart.map { start in
                let end = state.night.lastEnd.flatMap { $0 >= start ? $0 : nil }
                return Night(start: start, end: end, result: end == nil ? nil : state.night.lastResult?.rawValue)
            },
            failed_attempts: state.night.failedAttempts,
            forecast: forecast.map { f in
                Forecast(likely_start: f.likelyStart, by_window: f.byWindow, summary: f.summary,
                         hosts: Dictionary(f.hosts.map { ($0.name, ForecastHost(off_from: $0.offFrom, days: $0.days, text: $0.text)) },
                                           uniquingKeysWith: { a, _ in a }))
            },
            notifications_undelivered: undelivered)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: try encoder.encode(doc), as: UTF8.self) + "\n"
    }
}
