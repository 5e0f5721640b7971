import Glibc

/// Walks to a folder one component at a time (openat with O_NOFOLLOW from `/` or the working
/// directory), so that no symlink someone else could have planted is followed in ANY
/// component, not only the last (docs/design.md, invariant 11).
///
/// A symlink is followed only where nobody but root or this process's user can have made or
/// changed it: it is owned by root or by us, and the folder holding it is owned by root or by
/// us and writable by nobody else (or sticky, like /tmp). `/var/run -> /run` is followed; a
/// report folder a share user replaced with a link to `/etc` is refused, naming both.
/// Hand-written: FileManager and realpath follow every symlink, and no Swift library walks
/// a path this way.
enum SafeFolder {
    /// O_PATH (Linux's `<fcntl.h>` only defines it under _GNU_SOURCE, which Swift's Glibc
    /// module does not set; the value is the same on x86-64 and AArch64): a descriptor that
    /// names a folder without needing read permission on it.
    private static let openPath: Int32 = 0o10000000

    /// How many trusted symlinks one walk follows before it gives up (the kernel's own limit).
    static let maxLinks = 40

    /// An O_RDONLY|O_DIRECTORY descriptor of `path` (the caller closes it). With `create`,
    /// missing folders are made: mode 0755, the last one `lastMode`, whatever the umask.
    static func open(_ path: String, create: Bool = false, lastMode: mode_t = 0o755) throws(SafeOpen.Failure) -> Int32 {
        guard !path.utf8.contains(0) else {
            throw SafeOpen.Failure(message: "\(path.replacingOccurrences(of: "\0", with: "\\0")) contains a NUL byte; refusing to use it",
                                   errno: EINVAL, refused: true)
        }
        var fd = Glibc.open(path.hasPrefix("/") ? "/" : ".", Self.openPath | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SafeOpen.Failure(message: "cannot open \(path): \(SafeOpen.describe(errno))", errno: errno) }
        var pending = components(path)
        var shown = path.hasPrefix("/") ? "" : "."
        var links = 0
        var creations = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            let above = shown
            shown += "/" + part
            let next = openat(fd, part, Self.openPath | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next >= 0 {
                close(fd)
                fd = next
                continue
            }
            let code = errno
            var info = stat()
            let exists = fstatat(fd, part, &info, AT_SYMLINK_NOFOLLOW) == 0
            if !exists, code == ENOENT, create, creations < 4096 {
                creations += 1
                let made = mkdirat(fd, part, 0o755) == 0
                if !made, errno != EEXIST {
                    let failure = errno
                    close(fd)
                    throw SafeOpen.Failure(message: "cannot create the folder \(shown): \(SafeOpen.describe(failure))", errno: failure)
                }
                if made {
                    // The mode must not depend on the umask: set it on what was just made.
                    _ = fchmodat(fd, part, pending.isEmpty ? lastMode : 0o755, 0)
                }
                // Open it as any other (a symlink raced into its place is judged like one).
                pending.insert(part, at: 0)
                shown = above
                continue
            }
            guard exists, info.st_mode & S_IFMT == S_IFLNK else {
                close(fd)
                if exists {
                    throw SafeOpen.Failure(message: "\(shown) is not a folder; refusing to use it", errno: ENOTDIR, refused: true)
                }
                throw SafeOpen.Failure(message: "cannot open the folder \(shown): \(SafeOpen.describe(code))", errno: code)
            }
            if let why = untrusted(link: info, in: fd) {
                close(fd)
                throw SafeOpen.Failure(message: "\(shown) is a symbolic link \(why); refusing to write through it "
                                       + "(replace it with a real folder, or name the real folder in the setting)",
                                       errno: ELOOP, refused: true)
            }
            links += 1
            guard links <= maxLinks, let target = readLink(fd, part) else {
                close(fd)
                throw SafeOpen.Failure(message: "cannot follow the symbolic link \(shown): too many links or unreadable",
                                       errno: ELOOP, refused: true)
            }
            if target.hasPrefix("/") {
                close(fd)
                fd = Glibc.open("/", Self.openPath | O_DIRECTORY | O_CLOEXEC)
            }
            pending.insert(contentsOf: components(target), at: 0)
            shown = target.hasPrefix("/") ? "" : above
        }
        // An O_PATH descriptor cannot be fsynced or used to create: reopen the folder itself for that.
        let usable = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if usable >= 0 {
            close(fd)
            return usable
        }
        return fd
    }

    /// Why a symlink found in folder `dir` may have been planted by someone else; nil when only
    /// root or this user can have made it.
    private static func untrusted(link: stat, in dir: Int32) -> String? {
        let me = geteuid()
        guard link.st_uid == 0 || link.st_uid == me else { return "owned by uid \(link.st_uid)" }
        var folder = stat()
        guard fstat(dir, &folder) == 0 else { return "in a folder that cannot be checked" }
        guard folder.st_uid == 0 || folder.st_uid == me else { return "in a folder owned by uid \(folder.st_uid)" }
        let othersWrite = folder.st_mode & (S_IWGRP | S_IWOTH) != 0
        if othersWrite, folder.st_mode & S_ISVTX == 0 { return "in a folder others can write to" }
        return nil
    }

    private static func readLink(_ dir: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(dir, name, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0 ..< n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    /// Splits `path` into its folder ("." for a bare name) and its last component.
    static func split(_ path: String) -> (folder: String, name: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
        let folder = trimmed[..<slash]
        return (folder.isEmpty ? "/" : String(folder), String(trimmed[trimmed.index(after: slash)...]))
    }
}

/// Creates or replaces one file under a folder without following a symlink anyone else could
/// have planted in any component of its path: the one helper for every file NightShift writes
/// where others may reach (state, history, log, failure report, metrics, status page).
public enum SafeFile {
    /// Replaces `path` with `bytes` atomically (a temporary file beside it, fsync, rename),
    /// with exactly `mode`; missing folders are created (0755) when `createFolders`. A symlink
    /// or a non-regular file at `path`, or an untrusted symlink in any folder above it, is
    /// refused with a `StateError` naming it. `syncingDirectory` false skips the folder's
    /// fsync (an office share whose file system may not support it).
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644,
                               createFolders: Bool = true, syncingDirectory: Bool = true) throws {
        let (folder, name) = SafeFolder.split(path)
        let dir = try DurableFile.checked { try SafeFolder.open(folder, create: createFolders) }
        defer { close(dir) }
        try DurableFile.replace(in: dir, directory: folder, name: name, with: bytes, mode: mode, syncingDirectory: syncingDirectory)
    }

    /// Makes folder `path` and its missing parents (0755; the last one `mode`) without
    /// following an untrusted symlink; a `StateError` names what was refused.
    public static func makeFolder(_ path: String, mode: mode_t = 0o755) throws {
        let dir = try DurableFile.checked { try SafeFolder.open(path, create: true, lastMode: mode) }
        close(dir)
    }
}
