#if canImport(Glibc)
import Glibc
#endif

/// One process as /proc/PID/stat describes it: the fields the teardown needs.
///
/// Read straight from procfs (no library offers it on Linux); `startTime` (field 22,
/// clock ticks since boot) tells a process from a later one that got the same pid.
public struct ProcStat: Sendable, Hashable {
    /// Process id.
    public var pid: Int32
    /// The state letter (`R`, `S`, `Z`, ...).
    public var state: Character
    /// Parent process id.
    public var ppid: Int32
    /// Process group id.
    public var pgid: Int32
    /// Session id.
    public var sid: Int32
    /// When the process started, in clock ticks since boot.
    public var startTime: UInt64

    /// True for an exited process its parent has not reaped yet.
    public var isZombie: Bool { state == "Z" || state == "X" }

    /// Parses the text of /proc/PID/stat; nil when it is not one.
    public init?(parsing text: String) {
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
        // the fields start after the last ')'.
        guard let open = text.firstIndex(of: " "), let close = text.lastIndex(of: ")"),
              let pid = Int32(text[..<open]) else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 19, let state = fields[0].first,
              let ppid = Int32(fields[1]), let pgid = Int32(fields[2]), let sid = Int32(fields[3]),
              let start = UInt64(fields[19]) else { return nil }
        self.pid = pid
        self.state = state
        self.ppid = ppid
        self.pgid = pgid
        self.sid = sid
        self.startTime = start
    }

    /// The process `pid` now; nil when there is none.
    public static func read(pid: Int32) -> ProcStat? {
        guard let bytes = ProcFile.read("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return ProcStat(parsing: String(decoding: bytes, as: UTF8.self))
    }

    /// Every process visible in /proc now.
    public static func all() -> [ProcStat] {
        ProcFile.numericEntries(of: "/proc").compactMap { read(pid: $0) }
    }

    /// The start time of `pid`, or nil when no such process exists.
    public static func startTime(of pid: Int32) -> UInt64? { read(pid: pid)?.startTime }

    /// True when the environment `pid` was started with holds the entry `entry` (`NAME=value`).
    public static func environment(of pid: Int32, contains entry: String) -> Bool {
        guard let bytes = ProcFile.read("/proc/\(pid)/environ", limit: 1 << 20) else { return false }
        let wanted = Array(entry.utf8)
        return bytes.split(separator: 0, omittingEmptySubsequences: true).contains { $0.elementsEqual(wanted) }
    }

    /// The children of this process (all its threads), from /proc/self/task/*/children.
    public static func ownChildren() -> [Int32] {
        var pids: [Int32] = []
        for task in ProcFile.numericEntries(of: "/proc/self/task") {
            guard let bytes = ProcFile.read("/proc/self/task/\(task)/children", limit: 1 << 20) else { continue }
            pids += bytes.split(separator: UInt8(ascii: " ")).compactMap { Int32(String(decoding: $0, as: UTF8.self)) }
        }
        return pids
    }
}

/// Small raw readers for procfs files (a read(2) loop: procfs files report size 0).
enum ProcFile {
    static func read(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while data.count < limit {
            let n = chunk.withUnsafeMutableBytes { buffer in Syscall.retryingInterrupts { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            if n < 0 { return data.isEmpty ? nil : data }
            if n == 0 { break }
            data += chunk[0..<n]
        }
        return data
    }

    static func numericEntries(of directory: String) -> [Int32] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var pids: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }
}
