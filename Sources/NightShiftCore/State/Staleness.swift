/// A job whose last good run is older than its `max_age`.
public struct StaleJob: Equatable, Sendable {
    /// The job's name.
    public var name: String
    /// When its last good run ended (epoch); nil when it never had one.
    public var lastGood: Double?
    /// Seconds since the last good run (or since the job was first declared).
    public var age: Double
    /// The job's `max_age` in seconds.
    public var maxAge: Double
}

/// Staleness: how long ago each job last backed up well, against its `max_age`.
public enum Staleness {
    /// The `stale` event fires at most once per this many seconds per job.
    public static let notifyEvery: Double = 86_400

    /// The stale job `name` as of `now`, or nil when it is fresh or never declared. The
    /// `max_age` is the one the script declared (its default lives in the script's schema):
    /// a job no cycle declared has none and is never judged stale.
    public static func check(_ name: String, _ job: JobState, now: Double) -> StaleJob? {
        guard let maxAge = job.maxAge else { return nil }
        // A job that never ran well counts from the first cycle that declared it.
        guard let since = job.lastGood ?? job.declared else { return nil }
        let age = now - since
        return age > maxAge ? StaleJob(name: name, lastGood: job.lastGood, age: age, maxAge: maxAge) : nil
    }

    /// Every stale job of `state`, sorted by name.
    public static func stale(in state: NightShiftState, now: Double) -> [StaleJob] {
        state.jobs.keys.sorted().compactMap { check($0, state.jobs[$0]!, now: now) }
    }
}

extension NightShiftState {
    /// Records the jobs this cycle's script declares, with their `max_age`; returns the stale ones
    /// whose `stale` event is due (none in the last day), marking them notified now.
    public mutating func declareJobs(_ maxAges: [String: Double], now: Double) -> [StaleJob] {
        var due: [StaleJob] = []
        for (name, maxAge) in maxAges.sorted(by: { $0.key < $1.key }) {
            var job = jobs[name] ?? JobState()
            if job.declared == nil { job.declared = now }
            job.maxAge = maxAge
            if let stale = Staleness.check(name, job, now: now) {
                if job.staleNotified.map({ now - $0 >= Staleness.notifyEvery }) ?? true {
                    job.staleNotified = now
                    due.append(stale)
                }
            } else {
                job.staleNotified = nil
            }
            jobs[name] = job
        }
        return due
    }
}
