#if canImport(Glibc)
import Glibc
#endif

/// Writes whole buffers to a file descriptor, retrying short writes and EINTR.
///
/// Hand-written over `write(2)` rather than FileHandle or a swift-log stream
/// handler: the logger must issue exactly one append per batch of lines under
/// its own lock (so lines never interleave), keep working after EPIPE on a
/// closed console, and never throw into the caller.
struct FileOutput: Sendable {
    let descriptor: Int32

    /// Returns false when the write failed (the error is not fatal to logging).
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let written = Syscall.retryingInterrupts { Glibc.write(descriptor, pointer, remaining) }
                if written < 0 { return false }
                pointer += written
                remaining -= written
            }
            return true
        }
    }

    /// Opens `path` for appending, creating it with mode 0600 if needed; a symlink, FIFO,
    /// device or directory in its place is refused at once (docs/design.md, invariant 11).
    static func openForAppend(_ path: String) throws -> FileOutput {
        do {
            return FileOutput(descriptor: try SafeOpen.open(path, O_WRONLY | O_APPEND | O_CREAT, mode: 0o600))
        } catch {
            throw LogFileError(path: path, reason: error.refused ? error.message : ExecError.describe(errno: error.errno))
        }
    }

    /// The device and inode of the open file, to notice a log moved away (logrotate without postrotate).
    func identity() -> FileIdentity? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? FileIdentity(info) : nil
    }

    /// Creates every missing folder of `path` (like `mkdir -p`), never through an untrusted
    /// symlink (SafeFolder).
    static func makeDirectories(_ path: String) throws {
        do {
            close(try SafeFolder.open(path, create: true))
        } catch {
            throw LogFileError(path: path, reason: error.refused ? error.message : ExecError.describe(errno: error.errno))
        }
    }
}

/// Makes a write to a closed pipe fail with EPIPE instead of killing NightShift.
///
/// Needed twice: a child that exits without reading its stdin, and a console
/// pipe that went away (`nightshift run ... | head`); the log file must keep
/// being written either way. Subprocess resets every signal to its default in
/// children, so they still get the usual SIGPIPE.
enum BrokenPipe {
    static let ignore: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}

/// The log file (or its folder) could not be created or opened.
public struct LogFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path that failed.
    public var path: String
    /// The system's reason.
    public var reason: String
    /// `cannot open log file "x": Permission denied`, or `log file x is a symbolic link; ...`
    /// when the reason names the path itself.
    public var description: String {
        reason.hasPrefix(path) ? "log file \(reason)" : "cannot open log file \"\(path)\": \(reason)"
    }
}

/// Which file a path or descriptor is: equal identities are the same file.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identity of what `path` names now (not following a symlink); nil when it is gone.
    static func of(_ path: String) -> FileIdentity? {
        var info = stat()
        return lstat(path, &info) == 0 ? FileIdentity(info) : nil
    }
}
