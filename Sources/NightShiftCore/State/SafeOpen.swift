import Glibc

/// Opens the files NightShift owns (state, history, lock, log, failure report) so that a
/// symlink or a non-regular file planted in their place is refused instead of used (docs/design.md, invariant 11).
///
/// Hand-written over open(2): FileManager and FileHandle follow symlinks and block on a FIFO,
/// and neither can fchmod a file it just created.
enum SafeOpen {
    /// Why a path was refused or could not be opened; `message` names the path.
    struct Failure: Error, Sendable {
        /// The whole sentence, naming the path.
        let message: String
        /// The system error, or ELOOP/EINVAL for a refusal.
        let errno: Int32
        /// True when the path was refused (a symlink, not a regular file) rather than failing.
        var refused = false
    }

    /// Opens `path` with `flags` (O_NOFOLLOW, O_NONBLOCK and O_CLOEXEC are added), requires a
    /// regular file, and clears O_NONBLOCK again. A file this call creates gets exactly `mode`,
    /// whatever the umask; an existing file keeps the mode its owner gave it.
    ///
    /// O_NONBLOCK is what keeps a FIFO from blocking the open (and with it SIGTERM's handling)
    /// until a reader or writer appears; on a regular file it changes nothing.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600, purpose: String = "write") throws(Failure) -> Int32 {
        // open(2) would stop at a NUL and use another file than the one named.
        guard !path.utf8.contains(0) else {
            throw Failure(message: "\(path.replacingOccurrences(of: "\0", with: "\\0")) contains a NUL byte; refusing to use it",
                          errno: EINVAL, refused: true)
        }
        // Every folder above the file is reached without an untrusted symlink too, not only
        // the file itself (a share user's link in place of the report folder).
        let (folder, name) = SafeFolder.split(path)
        let dir = try SafeFolder.open(folder)
        defer { close(dir) }
        return try open(at: dir, name, flags, mode: mode, purpose: purpose, shown: path)
    }

    /// `open(_:_:mode:purpose:)` for `name` in the folder open as `dir`; `shown` names it in messages.
    static func open(at dir: Int32, _ name: String, _ flags: Int32, mode: mode_t = 0o600, purpose: String = "write",
                     shown path: String) throws(Failure) -> Int32 {
        let base = flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
        var created = false
        var fd: Int32
        if flags & O_CREAT != 0, flags & O_EXCL == 0 {
            // Create-or-open split in two, so we know whether the mode is ours to set.
            fd = openat(dir, name, base | O_EXCL, mode)
            if fd >= 0 {
                created = true
            } else if errno == EEXIST {
                fd = openat(dir, name, base & ~O_CREAT)
            }
        } else {
            fd = openat(dir, name, base, mode)
            created = fd >= 0 && flags & O_CREAT != 0
        }
        guard fd >= 0 else { throw refusal(at: dir, name, shown: path, errno: errno, purpose: purpose) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw Failure(message: "cannot stat \(path): \(describe(code))", errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw notRegular(path, info.st_mode)
        }
        if created, fchmod(fd, mode) != 0 {
            let code = errno
            close(fd)
            throw Failure(message: "cannot set the mode of \(path): \(describe(code))", errno: code)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// Throws when `name` in the folder open as `dir` exists as anything but a regular file.
    static func requireRegularOrMissing(at dir: Int32, _ name: String, shown path: String, purpose: String = "write") throws(Failure) {
        var info = stat()
        guard fstatat(dir, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFLNK { throw symlink(path, purpose: purpose) }
        if info.st_mode & S_IFMT != S_IFREG { throw notRegular(path, info.st_mode) }
    }

    /// Throws when `path` exists as anything but a regular file (a symlink, FIFO, directory...).
    static func requireRegularOrMissing(_ path: String, purpose: String = "write") throws(Failure) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFLNK { throw symlink(path, purpose: purpose) }
        if info.st_mode & S_IFMT != S_IFREG { throw notRegular(path, info.st_mode) }
    }

    /// The error for a failed open: a symlink or a non-regular file is named as such.
    private static func refusal(at dir: Int32, _ name: String, shown path: String, errno code: Int32, purpose: String) -> Failure {
        var info = stat()
        if fstatat(dir, name, &info, AT_SYMLINK_NOFOLLOW) == 0 {
            if info.st_mode & S_IFMT == S_IFLNK { return symlink(path, purpose: purpose) }
            // ENXIO (a FIFO nobody reads), EISDIR...: say what the path really is.
            if info.st_mode & S_IFMT != S_IFREG { return notRegular(path, info.st_mode) }
        }
        return Failure(message: "cannot open \(path): \(describe(code))", errno: code)
    }

    private static func symlink(_ path: String, purpose: String) -> Failure {
        Failure(message: "\(path) is a symbolic link; refusing to \(purpose) through it", errno: ELOOP, refused: true)
    }

    private static func notRegular(_ path: String, _ mode: mode_t) -> Failure {
        let kind: String
        switch mode & S_IFMT {
        case S_IFIFO: kind = "a FIFO"
        case S_IFDIR: kind = "a directory"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a plain file"
        }
        return Failure(message: "\(path) is not a regular file (\(kind)); refusing to use it", errno: EINVAL, refused: true)
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
