#if canImport(Glibc)
import Glibc
#endif

/// Jobs that a nightshift which has since died left marked `running` (docs/design.md, invariant 9).
///
/// Run at start-up, after the instance lock is taken and before anything else: the copy
/// such an instance left running is ended first, so one job never runs twice at once.
public enum OrphanedJobs {
    /// One job `recover` changed.
    public struct Recovered: Sendable, Equatable {
        /// The job's name.
        public var job: String
        /// When its run started (epoch), if known.
        public var start: Double?
        /// The reason now recorded, e.g. `interrupted: nightshift (pid 7) died; its copy (group 9) was terminated`.
        public var reason: String
        /// How many of its processes were still running and were ended.
        public var terminated: Int
    }

    /// This process's own identity, as a `JobProcess` owner records it.
    public static var currentOwner: (pid: Int32, start: UInt64) {
        (getpid(), ProcStat.startTime(of: getpid()) ?? 0)
    }

    /// Marks every running job whose owner is gone `interrupted`, after ending what is
    /// left of its process family: its group and session while the recorded leader
    /// still runs (the start time must match, so a recycled pid is never hit), and any
    /// process carrying its run id, each with SIGTERM, `grace` seconds, then SIGKILL.
    /// A job whose owner still runs (same pid and start time) is left alone.
    /// Blocks the calling thread (not for use inside the concurrency pool).
    @discardableResult
    public static func recover(state: inout NightShiftState, at time: Double,
                               grace: Double = ProcessTeardown.grace) -> [Recovered] {
        var recovered: [Recovered] = []
        for name in state.runningJobs {
            let job = state.jobs[name]
            let process = job?.process
            if let process, ownerIsAlive(process) { continue }
            var reason = "interrupted: nightshift died while it ran"
            var ended = 0
            if let process {
                let family = ProcessFamily(leader: process.group, leaderStart: process.groupStart, runID: process.runID)
                ended = (try? BlockingBridge.wait { await family.terminate(grace: grace) }) ?? 0
                // What the scan cannot see (a descendant that shed the run id and its
                // parent) is still in the job's cgroup, when it had one.
                if let runID = process.runID, let cgroup = JobCgroup.existing(runID: runID) {
                    ended += (try? BlockingBridge.wait { await cgroup.terminate(grace: grace) { family.reap() } }) ?? 0
                }
                reason = "interrupted: nightshift (pid \(process.ownerPid)) died"
                    + (ended > 0 ? "; its copy (group \(process.group)) was terminated" : " while it ran")
            } else if let runID = job?.startingRunID {
                // Killed between the spawn and the process record: only the run id is known.
                // No leader (pid 0 has no /proc entry, so no group is ever signalled): the
                // members are the processes carrying the run id and their children.
                let family = ProcessFamily(leader: 0, leaderStart: 0, runID: runID)
                ended = (try? BlockingBridge.wait { await family.terminate(grace: grace) }) ?? 0
                if ended > 0 { reason = "interrupted: nightshift died as its copy started; the copy was terminated" }
            }
            state.recordJobEnd(name, at: time, result: .interrupted, reason: reason)
            recovered.append(Recovered(job: name, start: job?.lastStart, reason: reason, terminated: ended))
        }
        return recovered
    }

    private static func ownerIsAlive(_ process: JobProcess) -> Bool {
        guard let owner = ProcStat.read(pid: process.ownerPid) else { return false }
        return owner.startTime == process.ownerStart && !owner.isZombie
    }
}
