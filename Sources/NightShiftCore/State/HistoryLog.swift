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
