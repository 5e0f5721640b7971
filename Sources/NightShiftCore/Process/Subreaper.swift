#if canImport(Glibc)
import Glibc
#endif

/// Makes this process the reaper of its descendants' orphans and reaps the ones that are
/// safe to reap.
///
/// With PR_SET_CHILD_SUBREAPER a job's double-forked, nohup'd or `setsid` child that
/// loses its parent reparents to us instead of init, so it stays in view (our child)
/// until the job's teardown ends it, and its zombie is ours to collect.
public enum Subreaper {
    /// Turns the subreaper attribute on (once per process); false when the kernel refused.
    @discardableResult
    public static func enable() -> Bool { enabled }

    private static let enabled: Bool = {
        // Swift does not import variadic C functions such as prctl(2), and the core has
        // no C target of its own: look the symbol up and call it with its full fixed
        // arity (all integer arguments, which the x86-64 and AArch64 ABIs pass alike).
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(nil, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        let setChildSubreaper: Int32 = 36  // PR_SET_CHILD_SUBREAPER, <linux/prctl.h>
        return prctl(setChildSubreaper, 1, 0, 0, 0) == 0
    }()

    /// Reaps those of our zombie children that are orphans we adopted, never a child some
    /// part of this process spawned itself (Subprocess waits for its own through a pidfd,
    /// and would fail if we took its status).
    ///
    /// A zombie is ours to reap when its session is neither ours nor led by itself
    /// (`setsid` only ever makes a process the leader of its own session, so a child we
    /// spawned has our session or its own: anything else came to us by reparenting), or
    /// when `isAdopted` says so (a job descendant recorded while it ran), or when it leads
    /// its own session, started no earlier than `since` (a running job's leader) and is
    /// not a leader ProcessRunner spawned while no spawn is under way: a `setsid` child
    /// that exited before any scan saw it. Everything in NightShift spawns through
    /// ProcessRunner; a child another spawner started during a job would look the same.
    /// Returns the pids reaped.
    @discardableResult
    public static func reapAdopted(since: UInt64? = nil, isAdopted: (ProcStat) -> Bool = { _ in false }) -> [Int32] {
        let ownSession = getsid(0)
        return ChildProcesses.withSpawnBook { book in
            var reaped: [Int32] = []
            for pid in ProcStat.ownChildren() {
                guard let stat = ProcStat.read(pid: pid), stat.isZombie else { continue }
                let foreignSession = stat.sid != ownSession && stat.sid != stat.pid
                let unseenOrphan = since.map { stat.startTime >= $0 } == true && stat.sid == stat.pid
                    && book.pending == 0 && !book.leaders.contains(pid)
                guard foreignSession || unseenOrphan || isAdopted(stat) else { continue }
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { reaped.append(pid) }
            }
            return reaped
        }
    }
}
