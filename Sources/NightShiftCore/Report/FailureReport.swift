import Foundation
import Glibc

/// The original's failure report: the night's part of the log, copied to a file the office sees.
public enum FailureReport {
    /// How much of a night's log a report copies by default: its last mebibyte.
    public static let defaultTailBytes = 1 << 20

    /// The log file's text from byte `offset` to its end (the current cycle's lines), at most
    /// its last `limit` bytes. When lines were cut, the text starts at a line boundary after a
    /// line `... N bytes of the night's log omitted ...`. Only the tail is read: a job that
    /// printed gigabytes must not make the report (or NightShift) that big.
    public static func excerpt(logPath: String, from offset: UInt64, limit: Int = defaultTailBytes) -> String {
        let fd = (try? SafeOpen.open(logPath, O_RDONLY, purpose: "read")) ?? -1
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "" }
        let end = UInt64(max(0, info.st_size))
        let start = min(offset, end)
        let limit = UInt64(max(0, limit))
        let cut = end - start > limit
        let readFrom = cut ? end - limit : start
        var bytes = [UInt8](repeating: 0, count: Int(end - readFrom))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Syscall.retryingInterrupts { pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(readFrom) + off_t(filled)) }
            }
            if n <= 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        guard cut else { return String(decoding: bytes, as: UTF8.self) }
        // Start after the first newline so the report never opens mid-line.
        let body = bytes.firstIndex(of: 0x0A).map { bytes[($0 + 1)...] } ?? bytes[...]
        let omitted = end - start - UInt64(body.count)
        return "... \(omitted) bytes of the night's log omitted ...\n" + String(decoding: body, as: UTF8.self)
    }

    /// The current size of a file (0 when missing), to mark where a cycle's log begins.
    public static func size(of path: String) -> UInt64 {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_size > 0 ? UInt64(info.st_size) : 0
    }

    /// Whether there is a report at `path` (a dry run only says what it would do with it).
    public static func isPresent(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// After a later good run: the report at `path`, if there is one, is kept under
    /// `resolvedPath` with `note` above it (replacing an older resolved report), and `path` is
    /// removed, so staff never act on yesterday's failure and its log is not lost. Returns
    /// whether there was a report.
    @discardableResult
    public static func markResolved(_ path: String, as resolvedPath: String, note: String) throws -> Bool {
        guard let old = try DurableFile.read(path) else { return false }
        try write(note + "\n\n" + String(decoding: old, as: UTF8.self), to: resolvedPath)
        guard unlink(path) == 0 || errno == ENOENT else { throw StateError.system("cannot remove \(path)") }
        return true
    }

    /// Writes `text` to `path` atomically (temp file + rename), creating the folder; the file is
    /// mode 0644 (the office reads it) whatever the umask, and a symlink at `path` is refused.
    /// Anyone may read it, so every URL in it is redacted (a job's own output may quote one).
    public static func write(_ text: String, to path: String) throws {
        // The report folder is often on the office share, where users may swap a folder for a
        // symlink: no component is followed unless only root could have made it (SafeFile).
        try SafeFile.replace(path, with: Array(URLRedaction.redactURLs(in: text).utf8), mode: 0o644,
                             createFolders: true, syncingDirectory: false)
    }
}
