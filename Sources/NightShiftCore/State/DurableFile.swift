import Foundation
import Glibc

/// Crash-safe file writes: atomic replacement and synced appends (docs/design.md, invariant 3), never through a
/// symlink and with modes that do not depend on the umask (docs/design.md, invariant 11).
enum DurableFile {
    /// A state directory path without trailing slashes (they would only make messages ugly).
    static func normalized(directory: String) -> String {
        var dir = directory
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        return dir.isEmpty ? "." : dir
    }

    /// Prefix of the temporary files `replace` leaves behind only if it is killed mid-write.
    static func temporaryPrefix(for name: String) -> String { ".\(name).tmp-" }

    /// Replaces `directory/name` with `bytes` so that a kill at any instant leaves the old or the
    /// new content: write a temporary file in the same directory, fsync it, rename it over the
    /// target, fsync the directory (so the rename itself survives a power cut).
    ///
    /// The directory is reached without following an untrusted symlink in any component
    /// (`SafeFolder`); the temporary file is created O_EXCL|O_NOFOLLOW with exactly `mode`; a
    /// target that is a symlink or not a regular file is refused rather than replaced, so the
    /// admin sees why. `syncingDirectory` false skips the directory fsync, for folders (an
    /// office share) whose file system may not support it and whose files need not survive a
    /// power cut. Returns the new file's ``fingerprint(_:)``.
    @discardableResult
    static func replace(directory: String, name: String, with bytes: [UInt8], mode: mode_t = 0o600,
                        syncingDirectory: Bool = true) throws -> [Int] {
        let dir = try checked { try SafeFolder.open(directory) }
        defer { close(dir) }
        return try replace(in: dir, directory: directory, name: name, with: bytes, mode: mode, syncingDirectory: syncingDirectory)
    }

    /// `replace(directory:name:...)` in the folder open as `dir` (named `directory` in messages):
    /// every step is relative to it, so nothing re-resolves the path meanwhile.
    @discardableResult
    static func replace(in dir: Int32, directory: String, name: String, with bytes: [UInt8], mode: mode_t,
                        syncingDirectory: Bool) throws -> [Int] {
        let prepared = try prepare(in: dir, directory: directory, name: name, with: bytes, mode: mode)
        try commit(prepared, in: dir, syncingDirectory: syncingDirectory)
        return prepared.fingerprint
    }

    /// A new content written and synced beside its target, not yet renamed over it.
    struct Prepared {
        /// The temporary file (its path, for messages).
        let temporary: String
        /// The file it will replace.
        let target: String
        /// The folder of both.
        let directory: String
        /// The temporary file's ``fingerprint(_:)``.
        let fingerprint: [Int]
        /// The names of both in the folder.
        let temporaryName: String
        let name: String
        /// Its device and inode, which the target has after the rename.
        var identity: [Int] { Array(fingerprint.prefix(2)) }
    }

    /// The first half of ``replace(directory:name:with:mode:syncingDirectory:)``: writes and
    /// fsyncs the temporary file, so a caller can record which file is coming before it comes.
    static func prepare(directory: String, name: String, with bytes: [UInt8], mode: mode_t) throws -> Prepared {
        let dir = try checked { try SafeFolder.open(directory) }
        defer { close(dir) }
        return try prepare(in: dir, directory: directory, name: name, with: bytes, mode: mode)
    }

    /// ``prepare(directory:name:with:mode:)`` in the folder open as `dir`.
    static func prepare(in dir: Int32, directory: String, name: String, with bytes: [UInt8], mode: mode_t) throws -> Prepared {
        let target = directory + "/" + name
        try checked { try SafeOpen.requireRegularOrMissing(at: dir, name, shown: target) }
        // The pid in the name lets a later load tell a dead writer's leftovers from a live one's.
        let tempName = temporaryPrefix(for: name) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let temp = directory + "/" + tempName
        let fd = try checked { try SafeOpen.open(at: dir, tempName, O_WRONLY | O_CREAT | O_EXCL, mode: mode, shown: temp) }
        var written: [Int] = []
        do {
            try writeAll(fd, bytes, path: temp)
            guard fsync(fd) == 0 else { throw StateError.system("cannot fsync \(temp)") }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw StateError.system("cannot stat \(temp)") }
            written = fingerprint(info)
        } catch {
            close(fd)
            unlinkat(dir, tempName, 0)
            throw error
        }
        // Linux frees the descriptor even when close fails: never close it a second time.
        guard close(fd) == 0 else {
            unlinkat(dir, tempName, 0)
            throw StateError.system("cannot close \(temp)")
        }
        return Prepared(temporary: temp, target: target, directory: directory, fingerprint: written,
                        temporaryName: tempName, name: name)
    }

    /// The second half: renames the prepared file over its target and fsyncs the folder.
    static func commit(_ prepared: Prepared, syncingDirectory: Bool = true) throws {
        let dir = try checked { try SafeFolder.open(prepared.directory) }
        defer { close(dir) }
        try commit(prepared, in: dir, syncingDirectory: syncingDirectory)
    }

    /// ``commit(_:syncingDirectory:)`` in the folder open as `dir`.
    static func commit(_ prepared: Prepared, in dir: Int32, syncingDirectory: Bool) throws {
        // rename replaces a symlink planted since the check above instead of writing through it.
        guard renameat(dir, prepared.temporaryName, dir, prepared.name) == 0 else {
            let err = StateError.system("cannot rename \(prepared.temporary) to \(prepared.target)")
            unlinkat(dir, prepared.temporaryName, 0)
            throw err
        }
        if syncingDirectory, fsync(dir) != 0 { throw StateError.system("cannot fsync directory \(prepared.directory)") }
    }

    /// Removes the temporary files of `name` that writers which died mid-write left in `directory`.
    static func removeDeadWritersTemporaries(directory: String, name: String) {
        let prefix = temporaryPrefix(for: name)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in names where entry.hasPrefix(prefix) {
            let pidText = entry.dropFirst(prefix.count).prefix { $0 != "-" }
            guard let pid = pid_t(pidText) else { continue }
            // Only a dead writer's file is garbage; a live one may be about to rename it.
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink(directory + "/" + entry)
            }
        }
    }

    /// Changes whenever a file is replaced or rewritten: device, inode, mtime and size.
    static func fingerprint(_ info: stat) -> [Int] {
        [Int(info.st_dev), Int(info.st_ino), info.st_mtim.tv_sec, info.st_mtim.tv_nsec, Int(info.st_size)]
    }

    /// The fingerprint of what `path` names now (a symlink's own), or nil.
    static func fingerprint(_ path: String) -> [Int]? {
        var info = stat()
        return lstat(path, &info) == 0 ? fingerprint(info) : nil
    }

    /// Appends `bytes` to `path` with O_APPEND and fsyncs; if a killed writer left a torn last
    /// line, starts on a fresh line so the torn one cannot swallow this record.
    static func appendLine(path: String, directory: String, _ line: [UInt8], mode: mode_t = 0o600) throws {
        let existed = access(path, F_OK) == 0
        let fd = try checked { try SafeOpen.open(path, O_RDWR | O_APPEND | O_CREAT, mode: mode) }
        defer { close(fd) }
        var bytes = line
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StateError.system("cannot stat \(path)") }
        if info.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, info.st_size - 1) == 1, last != UInt8(ascii: "\n") {
                bytes.insert(UInt8(ascii: "\n"), at: 0)
            }
        }
        // One write call for the whole line, so concurrent readers see it whole or not at all
        // in the common case; the loop only matters for a short write.
        try writeAll(fd, bytes, path: path)
        guard fsync(fd) == 0 else { throw StateError.system("cannot fsync \(path)") }
        if !existed { try syncDirectory(directory) }
    }

    /// Reads a whole file; nil when it does not exist. A symlink or non-regular file is refused.
    static func read(_ path: String) throws -> [UInt8]? {
        let fd: Int32
        do {
            fd = try SafeOpen.open(path, O_RDONLY, purpose: "read")
        } catch {
            if error.errno == ENOENT { return nil }
            throw StateError(message: error.message)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in Syscall.retryingInterrupts { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            if n < 0 { throw StateError.system("cannot read \(path)") }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Creates `path` and its parents if missing, never through an untrusted symlink; a
    /// directory this call creates last (the state directory itself) gets exactly `mode`,
    /// whatever the umask.
    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws {
        let dir = try checked { try SafeFolder.open(path, create: true, lastMode: mode) }
        close(dir)
    }

    /// Fsyncs a directory so that renames and creations in it are durable.
    static func syncDirectory(_ directory: String) throws {
        let dfd = try checked { try SafeFolder.open(directory) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw StateError.system("cannot fsync directory \(directory)") }
    }

    /// Runs a `SafeOpen` call, turning its failure into a ``StateError``.
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as SafeOpen.Failure { throw StateError(message: failure.message) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                Syscall.retryingInterrupts { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            if n < 0 { throw StateError.system("cannot write \(path)") }
            offset += n
        }
    }
}
