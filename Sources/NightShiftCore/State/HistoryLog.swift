import Foundation

/// What `HistoryLog.read()` found: the records that parsed and how many lines did not.
public struct HistoryContents: Equatable, Sendable {
    /// The records in file order.
    public var records: [HistoryRecord]
    /// Lines that could not be parsed (normally only a last line torn by a kill).
    public var skippedLines: Int

    /// Creates contents.
    public init(records: [HistoryRecord], skippedLines: Int) {
        self.records = records
        self.skippedLines = skippedLines
    }
}

/// `history.jsonl` in a state directory: one JSON object per line, appended with O_APPEND and
/// fsync, so a kill can at worst tear the last line, which readers skip.
public struct HistoryLog: Sendable {
    /// The state directory.
    public let directory: String
    /// File name of the history inside the directory.
    public static let fileName = "history.jsonl"

    /// Creates a history log in `directory` (created on the first append if missing).
    public init(directory: String) {
        self.directory = DurableFile.normalized(directory: directory)
    }

    /// Full path of `history.jsonl`.
    public var path: String { directory + "/" + Self.fileName }

    /// Appends one record as one line and fsyncs it.
    public func append(_ record: HistoryRecord) throws {
        try DurableFile.makeDirectory(directory)
        let encoder = JSONEncoder()
        // No pretty printing: one record must stay one line.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try Array(encoder.encode(record))
        line.append(UInt8(ascii: "\n"))
        try DurableFile.appendLine(path: path, directory: directory, line)
    }

    /// Reads all records, skipping lines that do not parse; a missing file reads as empty.
    public func read() throws -> HistoryContents {
        guard let bytes = try DurableFile.read(path) else { return HistoryContents(records: [], skippedLines: 0) }
        let decoder = JSONDecoder()
        var records: [HistoryRecord] = []
        var skipped = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if let record = try? decoder.decode(HistoryRecord.self, from: Data(line)), record.rangeProblem == nil {
                records.append(record)
            } else {
                skipped += 1
            }
        }
        return HistoryContents(records: records, skippedLines: skipped)
    }
}

extension HistoryLog {
    /// The last `count` records that `matching` accepts, in file order, read from the end of
    /// the file: the cost follows `count`, not the age of the history. `skippedLines` counts the unreadable lines passed on the way.
    public func last(_ count: Int, matching: (HistoryRecord) -> Bool = { _ in true }) throws -> HistoryContents {
        var found: [HistoryRecord] = []
        var skipped = 0
        guard count > 0, let lines = try HistoryLines.open(path) else { return HistoryContents(records: [], skippedLines: 0) }
        defer { lines.close() }
        let decoder = JSONDecoder()
        try lines.backward { line in
            // An out-of-range record (StateSanity) is skipped like a torn line, as `read` does.
            guard let record = try? decoder.decode(HistoryRecord.self, from: Data(line)), record.rangeProblem == nil else {
                skipped += 1
                return true
            }
            if matching(record) { found.append(record) }
            return found.count < count
        }
        return HistoryContents(records: found.reversed(), skippedLines: skipped)
    }

    /// The last `count` records of job `job` (its runs only), in file order.
    public func last(_ count: Int, job: String) throws -> HistoryContents {
        try last(count) { record in
            if case .job(let run) = record { return run.name == job }
            return false
        }
    }

    /// The records that started at `time` or later ("the last 30 days": what the status page
    /// and `status` show), in file order, read from the end of the file so that no cycle's cost
    /// grows with the age of the installation. Records are appended as they end, so the first
    /// one read backwards that ended before `time` ends the search; one older record that a
    /// clock step put among newer ones is skipped, not taken for the end.
    public func records(since time: Double) throws -> HistoryContents {
        var found: [HistoryRecord] = []
        var skipped = 0
        guard let lines = try HistoryLines.open(path) else { return HistoryContents(records: [], skippedLines: 0) }
        defer { lines.close() }
        let decoder = JSONDecoder()
        var olderInARow = 0
        try lines.backward { line in
            // An out-of-range record (StateSanity) is skipped like a torn line, as `read` does.
            guard let record = try? decoder.decode(HistoryRecord.self, from: Data(line)), record.rangeProblem == nil else {
                skipped += 1
                return true
            }
            guard record.end >= time else {
                olderInARow += 1
                // A few in a row mean the search reached the records before `time`.
                return olderInARow < Self.olderRecordsEndingASearch
            }
            olderInARow = 0
            // Ended since `time` but started before it: not a record of the period.
            if record.start >= time { found.append(record) }
            return true
        }
        return HistoryContents(records: found.reversed(), skippedLines: skipped)
    }

    /// Consecutive records older than the limit after which ``records(since:)`` stops reading.
    static let olderRecordsEndingASearch = 16
}

extension HistoryRecord {
    /// When the record's cycle or job run started (epoch): the time "since" goes by.
    public var start: Double {
        switch self {
        case .cycle(let c): return c.start
        case .job(let j): return j.start
        }
    }

    /// When the record's cycle or job run ended (epoch): the time retention and the end of a
    /// search from the end of the file go by.
    public var end: Double {
        switch self {
        case .cycle(let c): return c.end
        case .job(let j): return j.end
        }
    }
}
