import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why a running child is being stopped.
enum StopReason: Sendable {
    case timeout
    case interrupt
}

/// Stops one child's process group on a timeout or an interrupt request.
///
/// The first request wins; SIGTERM goes to the group at once (from the caller's
/// thread, so it is not delayed by a busy cooperative pool), and the runner's
/// supervisor task escalates to SIGKILL after the grace period.
///
/// Hand-written rather than Subprocess's `teardownSequence`: that runs only when the
/// calling task is cancelled and signals only the child's process group, while a job is
/// stopped by a timeout or by our own SIGINT/SIGTERM (not a cancellation) and its
/// teardown must also reach descendants that left the group (`ProcessFamily`). The
/// sequence is still set, for the one case it covers: a cancelled task.
final class RunControl: Sendable {
    struct Request: Sendable {
        let reason: StopReason
        let grace: Double
    }

    let pid: Int32
    /// Everything the child started, inside its group or not.
    let family: ProcessFamily
    /// The job's own cgroup, when it has one.
    let cgroup: JobCgroup?
    let requests: AsyncStream<Request>
    private let continuation: AsyncStream<Request>.Continuation
    private let chosen = Mutex<StopReason?>(nil)

    init(pid: Int32, family: ProcessFamily, cgroup: JobCgroup? = nil) {
        self.pid = pid
        self.family = family
        self.cgroup = cgroup
        (requests, continuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingOldest(1))
    }

    /// The reason of the first stop request, if any.
    var reason: StopReason? { chosen.withLock { $0 } }

    /// Signals the group with SIGTERM and asks the supervisor to finish the job.
    /// Returns false when a stop was already requested.
    @discardableResult
    func requestStop(_ reason: StopReason, grace: Double) -> Bool {
        let first = chosen.withLock { current -> Bool in
            guard current == nil else { return false }
            current = reason
            return true
        }
        guard first else { return false }
        _ = killpg(pid, SIGTERM)
        // Members that left the group (setsid) get it too; the runner's final
        // sweep ends any the periodic scans had not seen yet.
        family.signalKnown(SIGTERM)
        cgroup?.signalAll(SIGTERM)
        continuation.yield(Request(reason: reason, grace: grace))
        return true
    }

    /// Ends the request stream once the child's output is drained.
    func finish() {
        continuation.finish()
    }

    /// Waits up to `grace` for the leader to exit, then SIGKILLs whatever is left
    /// of the group, so grandchildren that ignored SIGTERM go too.
    func escalate(grace: Double) async {
        let deadline = ContinuousClock.now + Seconds.duration(grace)
        while ContinuousClock.now < deadline, !leaderExited() {
            try? await Task.sleep(for: .milliseconds(10))
        }
        _ = killpg(pid, SIGKILL)
        family.signalKnown(SIGKILL)
        cgroup?.killAll()
    }

    /// Returns once the leader has exited (polling: only reached when a child
    /// closed its output and kept running, which is rare).
    func waitForLeaderExit() async {
        while !leaderExited() {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// True once the leader is a zombie; WNOWAIT leaves it for Subprocess to reap.
    private func leaderExited() -> Bool {
        var info = siginfo_t()
        let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        return rc == 0 ? info.si_signo != 0 : true
    }
}
