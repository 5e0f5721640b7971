#if canImport(Glibc)
import Glibc
#endif

/// Enlarges the pipes a child writes its output into, from the kernel's 64 KiB to 1 MiB.
///
/// Subprocess reads a stream in pieces of the pipe's capacity, and every time the pipe runs
/// empty the reader parks on epoll and is resumed by another thread: with 64 KiB that is
/// ~16,000 hand-offs per GB, each a wait for a core on a busy machine (`ns.exec` streaming
/// 1 GB took 3.8 times as long as `child > file`). The pipes are Subprocess's own, so they
/// are found by inode: the child's end through /proc/PID/fd, ours among our descriptors.
enum PipeCapacity {
    /// The size asked for: /proc/sys/fs/pipe-max-size's default, allowed without privileges.
    static let preferred: Int32 = 1 << 20
    /// fcntl's F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7): Glibc declares it only under _GNU_SOURCE.
    private static let setPipeSize: Int32 = 1031

    /// Sets the capacity of the pipes behind `pid`'s `descriptors`; a failure (an exited child,
    /// no /proc, a user over pipe-user-pages-soft) leaves the pipe as it was.
    static func enlarge(childOf pid: Int32, descriptors: [Int32] = [1, 2], to size: Int32 = preferred) {
        var wanted: [(device: UInt64, inode: UInt64)] = []
        for fd in descriptors {
            var info = stat()
            guard stat("/proc/\(pid)/fd/\(fd)", &info) == 0, (info.st_mode & S_IFMT) == S_IFIFO else { continue }
            wanted.append((UInt64(info.st_dev), UInt64(info.st_ino)))
        }
        guard !wanted.isEmpty, let dir = opendir("/proc/self/fd") else { return }
        defer { closedir(dir) }
        let own = dirfd(dir)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != own else { continue }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFIFO,
                  wanted.contains(where: { $0.device == UInt64(info.st_dev) && $0.inode == UInt64(info.st_ino) })
            else { continue }
            _ = fcntl(fd, setPipeSize, size)
        }
    }
}
