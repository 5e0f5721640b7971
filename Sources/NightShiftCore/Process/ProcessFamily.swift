import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The processes that belong to one job, so that none outlives it (docs/design.md, invariant 9).
///
/// A process belongs when it started no earlier than the job's leader and
/// - shares the leader's session or process group while the leader (running or an
///   unreaped zombie) is the one recorded (every job leads its own session; nohup'd
///   and double-forked children stay in it), or
/// - carries the job's run id in its environment (`NIGHTSHIFT_RUN_ID`, inherited
///   across fork and exec: this is how a `setsid` child that already lost its parent
///   is still recognised, the way Jenkins' ProcessTreeKiller uses its cookie), or
/// - descends (parent chain) from a member, or was recorded as a member earlier, or
/// - is an orphan the subreaper adopted while this process runs the job (our child, but
///   not one ProcessRunner spawned):
///   one that shed the run id (`env -i`), left the session (`setsid -f`) and lost its
///   parent before any scan saw it matches nothing else, yet only a job can have left it.
///
/// Why /proc and not a cgroup: a cgroup would be exact, but creating one needs a
/// writable, delegated cgroup v2 hierarchy, which a plain service, a container or a
/// v1/hybrid host does not give; /proc works everywhere NightShift runs.
public final class ProcessFamily: Sendable {
    /// The environment variable that carries the run id into every descendant.
    public static let environmentKey = "NIGHTSHIFT_RUN_ID"

    /// The leader's pid, which is also the job's process group and session id.
    public let leader: Int32
    /// The leader's start time (clock ticks since boot).
    public let leaderStart: UInt64
    /// The value of `NIGHTSHIFT_RUN_ID` given to the leader, if any.
    public let runID: String?

    private struct Key: Hashable { let pid: Int32; let start: UInt64 }
    private let known = Mutex<Set<Key>>([])
    private let strangers = Mutex<Set<Key>>([])

    /// Whether orphans this process adopted as subreaper count as members: true for a
    /// run this process spawned and is running now; never for a dead instance's job (its
    /// orphans went to another reaper, and ours are not its).
    public let adoptsOrphans: Bool

    /// A family led by `leader`, started at `leaderStart`, with the run id `runID`.
    public init(leader: Int32, leaderStart: UInt64, runID: String?, adoptsOrphans: Bool = false) {
        self.leader = leader
        self.leaderStart = leaderStart
        self.runID = runID
        self.adoptsOrphans = adoptsOrphans
    }

    /// A fresh run id, unique to this process and call.
    public static func makeRunID() -> String {
        let serial = counter.add(1, ordering: .relaxed).newValue
        return "\(getpid())-\(serial)-\(UInt32.random(in: 0 ... .max))"
    }
    private static let counter = Atomic<Int>(0)

    /// The live members now (the leader too while it runs and is the one recorded);
    /// records every member found, so it is still known once its ancestry is gone.
    public func scan() -> [ProcStat] {
        scanIncludingZombies().filter { !$0.isZombie }
    }

    private func scanIncludingZombies() -> [ProcStat] {
        let all = ProcStat.all()
        let entry = runID.map { "\(Self.environmentKey)=\($0)" }
        var members: [Int32: ProcStat] = [:]
        var candidates: [ProcStat] = []
        let knownNow = known.withLock { $0 }
        let strangersNow = strangers.withLock { $0 }
        // The group and session ids are the job's only while its leader (even as an
        // unreaped zombie) is the process recorded; once it is gone the number may have
        // been passed on, and only the run id and recorded members still count.
        let groupIsOurs = all.contains { $0.pid == leader && $0.startTime == leaderStart }
        let adopted = adoptsOrphans ? adoptedOrphans(in: all) : []
        for p in all where p.startTime >= leaderStart {
            if p.pid == leader {
                if groupIsOurs { members[p.pid] = p }
                continue
            }
            let key = Key(pid: p.pid, start: p.startTime)
            if groupIsOurs && (p.sid == leader || p.pgid == leader) || knownNow.contains(key) || adopted.contains(p.pid) {
                members[p.pid] = p
            } else if !strangersNow.contains(key), !p.isZombie, let entry,
                      ProcStat.environment(of: p.pid, contains: entry) {
                members[p.pid] = p
            } else {
                candidates.append(p)
            }
        }
        // Children of members belong too, whatever session or environment they chose.
        var grew = true
        while grew {
            grew = false
            candidates.removeAll { p in
                guard members[p.ppid] != nil else { return false }
                members[p.pid] = p
                grew = true
                return true
            }
        }
        let found = Set(members.values.filter { $0.pid != leader }.map { Key(pid: $0.pid, start: $0.startTime) })
        known.withLock { $0.formUnion(found) }
        let rejected = candidates.filter { !$0.isZombie }.map { Key(pid: $0.pid, start: $0.startTime) }
        strangers.withLock { $0.formUnion(rejected) }
        return members.values.sorted { $0.pid < $1.pid }
    }

    /// Our live children that no spawn of ours made: orphans reparented to us as the
    /// subreaper. None while a spawn is under way (its child's pid is not booked yet).
    private func adoptedOrphans(in all: [ProcStat]) -> Set<Int32> {
        let me = getpid()
        return ChildProcesses.withSpawnBook { book in
            guard book.pending == 0 else { return [] }
            return Set(all.filter { $0.ppid == me && !$0.isZombie && !book.leaders.contains($0.pid) }.map(\.pid))
        }
    }

    /// True when `stat` is a member this family recorded (for the zombie reaper).
    public func isKnown(_ stat: ProcStat) -> Bool {
        known.withLock { $0.contains(Key(pid: stat.pid, start: stat.startTime)) }
    }

    /// Sends `signal` to every member recorded so far that still runs (checked by start
    /// time just before, so a recycled pid is never hit); returns how many got it.
    @discardableResult
    public func signalKnown(_ signal: Int32) -> Int {
        let members = known.withLock { $0 }
        var count = 0
        for m in members where ProcStat.read(pid: m.pid).map({ $0.startTime == m.start && !$0.isZombie }) == true {
            if kill(m.pid, signal) == 0 { count += 1 }
        }
        return count
    }

    /// Ends every member: SIGTERM, up to `grace` seconds for them to go, then SIGKILL;
    /// adopted zombies are reaped on the way. Returns the number of members that were
    /// still running when it began. Waits at most `grace` plus a few seconds.
    @discardableResult
    public func terminate(grace: Double) async -> Int {
        var left = await settledScan()
        let initial = left.count
        guard !left.isEmpty else {
            reap()
            return 0
        }
        var signalled = Set<Key>()
        signalGroup(SIGTERM)
        let termDeadline = ContinuousClock.now + Seconds.duration(grace)
        while !left.isEmpty, ContinuousClock.now < termDeadline {
            for p in left where signalled.insert(Key(pid: p.pid, start: p.startTime)).inserted {
                send(SIGTERM, to: p)
            }
            try? await Task.sleep(for: .milliseconds(50))
            reap()
            left = await settledScan()
        }
        // Killed processes vanish only once reaped; give a loaded machine some seconds.
        let killDeadline = ContinuousClock.now + .seconds(5)
        while !left.isEmpty, ContinuousClock.now < killDeadline {
            signalGroup(SIGKILL)
            for p in left { send(SIGKILL, to: p) }
            try? await Task.sleep(for: .milliseconds(20))
            reap()
            left = await settledScan()
        }
        reap()
        return initial
    }

    /// A scan that is empty only when a second look a moment later agrees: a fork in
    /// progress (a shell's subshell starting its own child as it exits) can be missing
    /// from one listing of /proc.
    /// Only a member that exited (a zombie other than the leader) can have left such
    /// a fork behind, so the common case (no descendants) costs no wait.
    private func settledScan() async -> [ProcStat] {
        let first = scanIncludingZombies()
        let live = first.filter { !$0.isZombie }
        guard live.isEmpty, first.contains(where: { $0.pid != leader }) else { return live }
        try? await Task.sleep(for: .milliseconds(20))
        return scan()
    }

    /// Signals the whole group too, while its id is provably still the job's (its leader,
    /// running or unreaped, is the one recorded): the kernel then also reaches a child whose fork
    /// is under way, which no listing of /proc can show.
    private func signalGroup(_ signal: Int32) {
        if ProcStat.read(pid: leader).map({ $0.startTime == leaderStart }) == true {
            _ = killpg(leader, signal)
        }
    }

    /// Reaps this family's zombies that were adopted by us (and any other adopted orphan).
    public func reap() {
        Subreaper.reapAdopted(since: leaderStart, isAdopted: isKnown)
    }

    private func send(_ signal: Int32, to p: ProcStat) {
        // Re-read just before the kill: a member that exited and was reaped since the
        // scan may have passed its pid on.
        guard let now = ProcStat.read(pid: p.pid), now.startTime == p.startTime, !now.isZombie else { return }
        _ = kill(p.pid, signal)
    }
}
