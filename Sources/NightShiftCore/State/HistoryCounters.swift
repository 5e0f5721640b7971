import Foundation

/// One job's totals over every run history.jsonl ever recorded (retention does not lower them).
public struct JobCounters: Codable, Equatable, Sendable {
    /// Runs recorded.
    public var runs = 0
    /// Runs that failed or were interrupted.
    public var failures = 0
    /// Wall time of all runs, in seconds.
    public var seconds = 0.0
    /// Start of the last run recorded (epoch).
    public var lastRun: Double?
    /// End of the last ok or warning run recorded (epoch).
    public var lastSuccess: Double?
    /// Wall time of the last run recorded, in seconds.
    public var lastSeconds: Double?

    /// Creates empty counters.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case runs, failures, seconds
        case lastRun = "last_run"
        case lastSuccess = "last_success"
        case lastSeconds = "last_seconds"
    }
}

/// The totals the metrics need, kept in `state.json` beside the records they count, so that no
/// cycle re-reads the whole history (a cycle costs the same in year five as on day one).
///
/// They cover the first `through` bytes of the history file `file` (device, inode). Bringing
/// them up to date reads only the bytes appended since, so a kill between an append and the
/// state write that counts it loses nothing: the next write counts it.
public struct HistoryCounters: Codable, Equatable, Sendable {
    /// Cycles recorded.
    public var cycles = 0
    /// Per job name.
    public var jobs: [String: JobCounters] = [:]
    /// Device and inode of the history file counted.
    public var file: [Int]?
    /// Bytes of that file counted (always the end of a line).
    public var through = 0
    /// When these counters were made by reading a whole history once (an upgrade, or a history
    /// file replaced by hand); nil when they grew from an empty history.
    public var seeded: Double?
    /// When retention last looked at the history (it looks at most once a day).
    public var pruned: Double?
    /// A retention rewrite under way: device, inode and size of the new file before its rename.
    /// If the rename happened and the state write after it did not, the next update knows the
    /// smaller file is the old one minus the dropped records, not a file to count afresh.
    public var rewrite: [Int]?

    /// Creates empty counters.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case cycles, jobs, file, through, seeded, pruned, rewrite
    }

    /// Counts one record.
    public mutating func count(_ record: HistoryRecord) {
        switch record {
        case .cycle: cycles += 1
        case .job(let job):
            var c = jobs[job.name] ?? JobCounters()
            c.runs += 1
            if job.result == .failed || job.result == .interrupted { c.failures += 1 }
            // A clock stepped by hours can give a negative span; it must not lower the total.
            c.seconds += max(0, job.seconds)
            c.lastRun = job.start
            c.lastSeconds = max(0, job.seconds)
            if job.result.isGood { c.lastSuccess = job.end }
            jobs[job.name] = c
        }
    }

    /// Counts one line the way ``HistoryLog/read()`` reads it: a line that does not parse
    /// (torn by a kill) is no record.
    mutating func count(line: ArraySlice<UInt8>, decoder: JSONDecoder) {
        if let record = try? decoder.decode(HistoryRecord.self, from: Data(line)) { count(record) }
    }

    /// What ``catchUp(directory:now:)`` had to do.
    public enum Update: Equatable, Sendable {
        /// Counted the lines appended since the last update (possibly none).
        case appended(lines: Int)
        /// Read the whole file: no counters yet (an upgrade), or the file was replaced by
        /// someone else; `lines` is how many it holds.
        case recounted(lines: Int)
    }

    /// Brings the counters of `state` up to date with the history in `directory`.
    @discardableResult
    public static func catchUp(_ state: inout NightShiftState, directory: String, now: Double) throws -> Update {
        var counters = state.history ?? HistoryCounters()
        let update = try counters.catchUp(directory: directory, fresh: state.history == nil, now: now)
        state.history = counters
        return update
    }

    /// Counts what the history file in `directory` gained since the last update. `fresh`: these
    /// counters have never seen a history, so a file that exists is read whole once.
    mutating func catchUp(directory: String, fresh: Bool, now: Double) throws -> Update {
        let path = HistoryLog(directory: directory).path
        guard let lines = try HistoryLines.open(path) else {
            // Deleted by hand: the totals stay (Prometheus counters never go down), the next
            // file is counted from its start.
            file = nil
            through = 0
            rewrite = nil
            return .appended(lines: 0)
        }
        defer { lines.close() }
        let decoder = JSONDecoder()
        if let rewrite, rewrite.count == 3, Array(rewrite.prefix(2)) == lines.identity {
            // The retention rewrite was renamed into place; what it kept was counted already.
            file = lines.identity
            through = rewrite[2]
        }
        rewrite = nil
        if !fresh, file == nil {
            // The first history file these counters see (a new install, or one deleted by hand).
            file = lines.identity
            through = 0
        }
        var seen = 0
        if fresh || file != lines.identity || through > lines.size {
            let keptTimes = (seeded, pruned)
            self = HistoryCounters()
            (seeded, pruned) = keptTimes
            seeded = now
            file = lines.identity
            through = try lines.forward { line in
                count(line: line, decoder: decoder)
                seen += 1
                return true
            }
            return .recounted(lines: seen)
        }
        through = try lines.forward(from: through) { line in
            count(line: line, decoder: decoder)
            seen += 1
            return true
        }
        return .appended(lines: seen)
    }
}
