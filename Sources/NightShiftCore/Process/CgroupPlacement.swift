import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Puts one spawn's child into its job's cgroup from birth.
///
/// Subprocess offers no way to start a child in another cgroup (no clone3 with
/// CLONE_INTO_CGROUP), and moving the child after the spawn would miss whatever it forks
/// first. So this process steps into the job's cgroup just for the spawn (a fork inherits
/// the cgroup) and steps back as soon as the child exists. Spawns are serialised by
/// `SpawnGate` meanwhile, so no other child is born in a cgroup not its own.
final class CgroupPlacement: Sendable {
    /// Why the child gets no cgroup, when a cgroup was asked for and it gets none.
    let note: String?
    private let cgroup: JobCgroup?
    private struct Progress {
        var released = false
        var spawned = false
        var usable: JobCgroup?
    }
    private let progress: Mutex<Progress>

    private init(cgroup: JobCgroup?, note: String?) {
        self.cgroup = cgroup
        self.note = note
        progress = Mutex(Progress(usable: cgroup))
    }

    /// Waits for the gate, then makes the job's cgroup and enters it (nil `runID`: none).
    static func prepare(_ runID: String?) async -> CgroupPlacement {
        await SpawnGate.acquire()
        guard let runID else { return CgroupPlacement(cgroup: nil, note: nil) }
        switch JobCgroup.make(runID: runID) {
        case .failure(let problem):
            return CgroupPlacement(cgroup: nil, note: problem.text)
        case .success(let cgroup):
            guard cgroup.enter() else {
                let why = String(cString: strerror(errno))
                cgroup.remove()
                return CgroupPlacement(cgroup: nil, note: "cannot enter the cgroup \(cgroup.path): \(why)")
            }
            return CgroupPlacement(cgroup: cgroup, note: nil)
        }
    }

    /// Called once the child exists: steps back out, opens the gate, and returns the cgroup
    /// the child runs in (nil when stepping out failed: killing it would then kill us).
    func spawned() -> JobCgroup? {
        progress.withLock { p in
            p.spawned = true
            release(&p)
            return p.usable
        }
    }

    /// Called when the spawn returned, however: steps out and opens the gate if `spawned`
    /// did not, and removes the cgroup of a child that never started.
    func finish() {
        progress.withLock { p in
            release(&p)
            if !p.spawned { cgroup?.remove() }
        }
    }

    private func release(_ p: inout Progress) {
        guard !p.released else { return }
        p.released = true
        if let cgroup, !cgroup.leave() { p.usable = nil }
        SpawnGate.release()
    }
}

/// One spawn at a time while a spawn may happen from inside a job's cgroup.
enum SpawnGate {
    private static let busy = Mutex(false)

    /// Waits (polling every millisecond: a spawn holds it for about a millisecond) until free.
    static func acquire() async {
        while !busy.withLock({ taken in
            if taken { return false }
            taken = true
            return true
        }) {
            try? await Task.sleep(for: .milliseconds(1))
            if Task.isCancelled { usleep(1000) }
        }
    }

    static func release() {
        busy.withLock { $0 = false }
    }
}
