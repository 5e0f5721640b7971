import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide registry of running children, for the SIGINT/SIGTERM handler.
///
/// Every child `ProcessRunner` starts leads its own process group and is
/// registered from just after its spawn until just before it is reaped, so
/// a group id found here always names our child's group, never a recycled
/// one (the unreaped leader keeps its id allocated).
public enum ChildProcesses {
    private static let running = Mutex<[Int32: RunControl]>([:])

    /// Process group ids of the children running now.
    public static var groups: [Int32] {
        running.withLock { Array($0.keys).sorted() }
    }

    /// Sends SIGTERM to every running child's group now, and SIGKILL to any group
    /// whose leader has not exited `grace` seconds later; members that left the group
    /// (`setsid`) are signalled with it and ended by each run's final sweep before
    /// it unregisters. Returns at once with the
    /// number of groups signalled; each `exec` then returns with `interrupted` set.
    /// Takes a lock, so call it from a signal-handling thread or Dispatch source,
    /// not from a raw `sigaction` handler (`Interruption.trigger` is the part that is
    /// async-signal-safe).
    @discardableResult
    public static func terminateAll(grace: Double = ProcessTeardown.grace) -> Int {
        let controls = running.withLock { Array($0.values) }
        var count = 0
        for control in controls where control.requestStop(.interrupt, grace: grace) {
            count += 1
        }
        return count
    }

    /// Blocks until no child is running or `timeout` seconds pass; true when none is left.
    ///
    /// A blocking poll (10 ms) so a signal-handling thread can wait for the
    /// teardown before the process exits without needing an async context.
    @discardableResult
    public static func waitUntilIdle(timeout: Double) -> Bool {
        let deadline = ContinuousClock.now + Seconds.duration(timeout)
        while ContinuousClock.now < deadline {
            if running.withLock({ $0.isEmpty }) { return true }
            usleep(10_000)
        }
        return running.withLock { $0.isEmpty }
    }

    /// Spawns under way whose pid is not known yet, and leaders not yet reaped by
    /// Subprocess: the zombie reaper must never take one of these.
    struct SpawnBook {
        var pending = 0
        var leaders: Set<Int32> = []
    }
    private static let spawns = Mutex(SpawnBook())

    /// Runs `body` while no spawn can start, with the current book.
    static func withSpawnBook<T>(_ body: (SpawnBook) -> T) -> T {
        spawns.withLock { body($0) }
    }

    static func spawnBegins() {
        spawns.withLock { $0.pending += 1 }
    }

    static func spawned(_ pid: Int32) {
        spawns.withLock {
            $0.pending -= 1
            $0.leaders.insert(pid)
        }
    }

    /// After Subprocess returned: `pid` is reaped, or nil when the spawn failed.
    static func spawnEnded(_ pid: Int32?) {
        spawns.withLock {
            if let pid { $0.leaders.remove(pid) } else { $0.pending -= 1 }
        }
    }

    static func register(_ control: RunControl) {
        running.withLock { $0[control.pid] = control }
    }

    static func unregister(_ control: RunControl) {
        running.withLock { _ = $0.removeValue(forKey: control.pid) }
    }
}
