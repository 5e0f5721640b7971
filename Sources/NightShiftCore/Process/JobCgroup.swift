import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a job's descendants are kept from outliving it.
public enum Containment: Sendable, Hashable, CustomStringConvertible {
    /// The job ran in its own cgroup v2 (this directory), killed whole at its end.
    case cgroup(String)
    /// /proc scans with this process as the subreaper of orphans (no usable cgroup).
    case subreaper

    /// The words the log uses.
    public var description: String {
        switch self {
        case .cgroup(let path): return "cgroup \(path)"
        case .subreaper: return "subreaper"
        }
    }
}

/// A job's own cgroup v2: every process it starts stays in it whatever session, parent
/// or environment it chooses, and `cgroup.kill` ends them all at once.
///
/// Hand-written: no Swift library manages cgroups. Only made where this process sits in a
/// writable cgroup v2 hierarchy (a systemd unit with `Delegate=yes`, a test's own
/// cgroup namespace) on a kernel with `cgroup.kill` (5.14); elsewhere the /proc family
/// scan with the subreaper is the fallback, and `unavailableReason` says why.
public final class JobCgroup: Sendable {
    /// The cgroup's directory.
    public let path: String
    private let parentPath: String

    private init(path: String, parentPath: String) {
        self.path = path
        self.parentPath = parentPath
    }

    /// The writable cgroup v2 directory this process started in, under which jobs' cgroups
    /// are made; nil when there is none (see `unavailableReason`).
    public static func parent() -> String? {
        if case .success(let dir) = discovered { return dir }
        return nil
    }

    /// Why jobs run without a cgroup here; nil when they get one.
    public static var unavailableReason: String? {
        if case .failure(let reason) = discovered { return reason.text }
        return nil
    }

    private struct Reason: Error { let text: String }

    // Read once, before any spawn moves this process for a moment (see `spawnInside`).
    private static let discovered: Result<String, Reason> = discover()

    private static func discover() -> Result<String, Reason> {
        guard let own = readText("/proc/self/cgroup")?.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else {
            return .failure(Reason(text: "this system has no cgroup v2 hierarchy"))
        }
        let relative = String(own.dropFirst(3))
        guard let mount = cgroup2Mount(containing: relative) else {
            return .failure(Reason(text: "no cgroup2 file system is mounted here"))
        }
        let dir = mount.hasSuffix("/") ? String(mount.dropLast()) : mount
        guard access(dir + "/cgroup.procs", W_OK) == 0, access(dir, W_OK) == 0 else {
            return .failure(Reason(text: "the cgroup \(dir) is not writable (a systemd unit needs Delegate=yes)"))
        }
        // Whether the kernel has cgroup.kill (5.14) shows in a child only (the hierarchy's
        // root has none of its own): `make` checks each new cgroup.
        return .success(dir)
    }

    /// The directory of `relative` (our cgroup path) in a mounted cgroup2 whose root holds it.
    private static func cgroup2Mount(containing relative: String) -> String? {
        guard let text = readText("/proc/self/mountinfo") else { return nil }
        for line in text.split(separator: "\n") {
            // "id parent major:minor root mountpoint options ... - fstype source superoptions"
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5 else { continue }
            let root = unescape(String(fields[3])), point = unescape(String(fields[4]))
            guard relative == root || root == "/" || relative.hasPrefix(root + "/") else { continue }
            let rest = root == "/" ? relative : String(relative.dropFirst(root.count))
            return point + (rest == "/" ? "" : rest)
        }
        return nil
    }

    private static func unescape(_ field: String) -> String {
        // mountinfo writes space, tab, newline and backslash as \ooo.
        var out = "", chars = Array(field), i = 0
        while i < chars.count {
            if chars[i] == "\\", i + 3 < chars.count, let code = UInt8(String(chars[i + 1 ... i + 3]), radix: 8) {
                out.append(Character(UnicodeScalar(code)))
                i += 4
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return out
    }

    /// Makes the cgroup for the job with run id `runID`; nil (with the reason) when it cannot.
    public static func make(runID: String) -> Result<JobCgroup, ContainmentProblem> {
        guard let parent = parent() else {
            return .failure(ContainmentProblem(text: unavailableReason ?? "no cgroup"))
        }
        let path = parent + "/" + name(for: runID)
        guard mkdir(path, 0o755) == 0 else {
            return .failure(ContainmentProblem(text: "cannot make the cgroup \(path): \(String(cString: strerror(errno)))"))
        }
        let cgroup = JobCgroup(path: path, parentPath: parent)
        guard access(path + "/cgroup.kill", W_OK) == 0 else {
            cgroup.remove()
            return .failure(ContainmentProblem(text: "this kernel has no cgroup.kill (Linux 5.14 or later)"))
        }
        return .success(cgroup)
    }

    /// The cgroup a job with run id `runID` was given, if it is still there (a dead
    /// instance's job: orphan recovery kills what is left in it).
    public static func existing(runID: String) -> JobCgroup? {
        guard let parent = parent() else { return nil }
        let path = parent + "/" + name(for: runID)
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        return JobCgroup(path: path, parentPath: parent)
    }

    private static func name(for runID: String) -> String {
        "nightshift-job-" + String(runID.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }

    /// Runs `spawn` with this process inside the cgroup, so the child is born in it
    /// (moving the child after its start would miss what it forks first), and moves this
    /// process back once `spawn` says the child exists. False when the move failed; the
    /// caller then spawns without the cgroup.
    func enter() -> Bool {
        writeText("\(getpid())", to: path + "/cgroup.procs")
    }

    /// Moves this process back to its own cgroup; false (the cgroup must then never be
    /// killed, or it would take us along) when the kernel refused.
    func leave() -> Bool {
        writeText("\(getpid())", to: parentPath + "/cgroup.procs")
    }

    /// The pids in the cgroup now.
    public func members() -> [Int32] {
        (readText(path + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// True while a process runs in the cgroup.
    public var isPopulated: Bool {
        readText(path + "/cgroup.events")?.contains("populated 1") == true
    }

    /// Sends `signal` to every process in the cgroup.
    public func signalAll(_ signal: Int32) {
        for pid in members() where pid != getpid() { kill(pid, signal) }
    }

    /// Kills every process in the cgroup (`cgroup.kill`, which also reaches a fork under way).
    public func killAll() {
        _ = writeText("1", to: path + "/cgroup.kill")
    }

    /// Ends everything left in the cgroup: SIGTERM, up to `grace` seconds, then
    /// `cgroup.kill`; `reap` collects the zombies we adopted meanwhile. Removes the
    /// cgroup once it is empty. Returns how many were running when it began.
    @discardableResult
    public func terminate(grace: Double, reap: () -> Void) async -> Int {
        let initial = members().count
        if initial > 0 {
            signalAll(SIGTERM)
            let termDeadline = ContinuousClock.now + Seconds.duration(grace)
            while isPopulated, ContinuousClock.now < termDeadline {
                try? await Task.sleep(for: .milliseconds(20))
                reap()
            }
            let killDeadline = ContinuousClock.now + .seconds(5)
            while isPopulated, ContinuousClock.now < killDeadline {
                killAll()
                try? await Task.sleep(for: .milliseconds(20))
                reap()
            }
        }
        reap()
        remove()
        return initial
    }

    /// Removes the (empty) cgroup directory; a busy one is left (and logged by no one: it is
    /// empty within moments of cgroup.kill, and a later job's name differs).
    func remove() {
        for _ in 0 ..< 50 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(10_000)
        }
    }

    private static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { space in Syscall.retryingInterrupts { read(fd, space.baseAddress, space.count) } }
            guard n > 0 else { break }
            bytes += buffer[0 ..< n]
            if bytes.count > 1 << 20 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func readText(_ path: String) -> String? { Self.readText(path) }

    @discardableResult
    private func writeText(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return Syscall.retryingInterrupts { write(fd, bytes, bytes.count) } == bytes.count
    }
}

/// Why a job runs without a cgroup of its own.
public struct ContainmentProblem: Error, Sendable {
    /// The sentence for the log.
    public let text: String
}
