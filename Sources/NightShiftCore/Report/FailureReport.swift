import Foundation

/// The original's failure report: the night's part of the log, copied to a file the office sees.
public enum FailureReport {
    /// The log file's text from byte `offset` to its end (the current cycle's lines).
    public static func excerpt(logPath: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return "" }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
            return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        } catch {
            return ""
        }
    }

    /// The current size of a file (0 when missing), to mark where a cycle's log begins.
    public static func size(of path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Writes `text` to `path` atomically (temp file + rename), creating the folder.
    public static func write(_ text: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
