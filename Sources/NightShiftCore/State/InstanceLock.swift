import Foundation
import Glibc
import Synchronization

/// Why the instance lock could not be taken.
public struct InstanceLockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `another nightshift (pid 1234) holds /x/state/nightshift.lock`.
    public let message: String
    /// The holder's pid as written in the lock file, when it could be read.
    public let holderPID: Int32?

    /// Creates an error.
    public init(message: String, holderPID: Int32?) {
        self.message = message
        self.holderPID = holderPID
    }

    /// The message, so `"\(error)"` reads well in logs and error messages.
    public var description: String { message }
}

/// One NightShift per state directory (docs/design.md, invariant 4): an exclusive `flock` on
/// `state_dir/nightshift.lock`, which the kernel drops when the process dies in any way.
///
/// The descriptor is close-on-exec, so backup programs started by NightShift never inherit the
/// lock and cannot keep it after the daemon is gone.
public final class InstanceLock: Sendable {
    /// File name of the lock inside the state directory.
    public static let fileName = "nightshift.lock"
    /// Full path of the lock file.
    public let path: String
    private let descriptor: Mutex<Int32>

    /// Takes the lock without waiting (creating the directory if needed); throws an
    /// ``InstanceLockError`` naming the holder's pid when another process has it.
    public init(stateDir: String) throws {
        let dir = DurableFile.normalized(directory: stateDir)
        try DurableFile.makeDirectory(dir)
        let path = dir + "/" + Self.fileName
        self.path = path
        // Not through a symlink: root truncating the pid into the link's target was seen.
        let fd = try DurableFile.checked { try SafeOpen.open(path, O_RDWR | O_CREAT, mode: 0o600) }
        if Syscall.retryingInterrupts({ flock(fd, LOCK_EX | LOCK_NB) }) != 0 {
            let code = errno
            let holder = code == EWOULDBLOCK ? Self.readPID(fd) : nil
            close(fd)
            guard code == EWOULDBLOCK else { throw StateError.system("cannot lock \(path)", errno: code) }
            let who = holder.map { "pid \($0)" } ?? "pid unknown"
            throw InstanceLockError(message: "another nightshift (\(who)) holds \(path)", holderPID: holder)
        }
        // Only the holder writes, so the pid in the file is always the current holder's
        // (or, after a crash, a dead one's, which the next holder overwrites).
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = Mutex(fd)
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { descriptor.withLock { $0 >= 0 } }

    /// Releases the lock now; later calls do nothing. Dropping the object also releases it.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            // The pid is left in the file on purpose: truncating here could race a new holder's write.
            close(fd)
            fd = -1
        }
    }

    deinit { release() }

    /// The pid holding the lock of `stateDir`, or nil when nobody does; read-only (from
    /// `/proc/locks`), so unlike a trial lock it can never make a starting daemon fail.
    public static func holder(stateDir: String) -> Int32? {
        var info = stat()
        guard stat(stateDir + "/" + fileName, &info) == 0,
              let bytes = try? DurableFile.read("/proc/locks") else { return nil }
        // Lines look like "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; blocked waiters
        // ("1: -> FLOCK ...") are skipped because they do not hold the lock.
        let inode = "\(info.st_ino)"
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE" else { continue }
            let device = fields[5].split(separator: ":")
            guard device.count == 3, device[2] == inode,
                  UInt64(device[0], radix: 16) == Self.major(UInt64(info.st_dev)),
                  UInt64(device[1], radix: 16) == Self.minor(UInt64(info.st_dev)) else { continue }
            return Int32(fields[4])
        }
        return nil
    }

    // glibc's major()/minor() are macros Swift cannot import; this is their Linux encoding.
    private static func major(_ dev: UInt64) -> UInt64 { ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff)) }
    private static func minor(_ dev: UInt64) -> UInt64 { (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff)) }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
