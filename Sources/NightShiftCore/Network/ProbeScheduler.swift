import Glibc

/// What a transport reports about one target while the scheduler waits.
enum ProbeEvent {
    case answered(target: Int, rttMilliseconds: Double)
    case unreachable(target: Int, reason: String)
}

/// What happened to one send.
enum ProbeSendOutcome {
    case sent
    /// Socket or device queue full (EAGAIN, ENOBUFS): try again very soon; the text says why
    /// if it lasts.
    case busy(String)
    /// The probe could not leave this machine (no route, no such source address, a firewall
    /// rule, a NIC that is down): nothing is known about the target.
    case localFailure(String)
}

/// A way of probing (ICMP echo, TCP connect) that the scheduler drives.
protocol ProbeTransport: AnyObject {
    /// Sends one probe to a target.
    func send(target: Int, now: Double) -> ProbeSendOutcome
    /// The descriptors to wait on, with the events of interest.
    func pollDescriptors(now: Double) -> [pollfd]
    /// Reads what is ready after `poll`.
    func handle(ready: [pollfd], now: Double) -> [ProbeEvent]
    /// A target is decided: forget its outstanding probes.
    func retire(target: Int)
    /// Datagrams the kernel dropped because our receive buffer was full (SO_RXQ_OVFL), so far.
    var receiveDrops: UInt64 { get }
}

/// When probes go out and when a target is given up.
struct ProbeSchedule {
    /// Seconds between two probes to the same target.
    var spacing: Double
    /// Probes per target; nil means "until the deadline" (wait_up).
    var maxAttempts: Int?
    /// After the last probe, how long an answer is waited for.
    var probeTimeout: Double
    /// Absolute monotonic time when every undecided target counts as down.
    var deadline: Double
    /// Whether an ICMP error or a failed send decides at once (a sweep) or only is
    /// remembered while probing goes on (wait_up: a booting host is unreachable for a while).
    var unreachableIsFinal: Bool
    /// Text of the error for a target that never answered.
    var silenceMessage: String
    /// Ends the loop early: SIGINT/SIGTERM, or wait_up's `any` answered.
    var stop: ProbeStop?
    /// The targets' names, for answers shared with loops probing them another way (`stop`).
    var targetNames: [String]? = nil
}

/// The single-threaded event loop behind every sweep: all probes out at once,
/// replies collected with poll(2), and a return the moment the last target is decided.
struct ProbeScheduler {
    let schedule: ProbeSchedule

    /// Replies are read after this many sends, so that thousands of answers arriving while we
    /// still send (loopback answers inside sendto) never overflow our receive buffer.
    static let sendsPerDrain = 32
    /// Extra probes for a target whose answer may have been dropped by our own socket.
    static let maxExtraAttempts = 2
    /// With a stop signal, poll wakes at least this often (seconds) to look at it.
    static let stopCheckInterval = 0.05

    /// Runs until every target `0..<count` (indices into the transport's list) is decided, or
    /// the stop signal ends it (then the undecided ones get their state so far).
    func run(count: Int, transport: ProbeTransport) -> [Int: ProbeResult] {
        var run = ProbeRun(schedule: schedule, transport: transport, count: count, start: NetSys.monotonic())
        while schedule.stop?.shouldStop != true {
            run.takeAnswersOfOtherProbes()
            run.sendDueProbes(now: NetSys.monotonic())
            let now = NetSys.monotonic()
            run.decideExpired(now: now)
            if run.pending.isEmpty { break }
            run.waitForReplies(now: now)
        }
        return run.results()
    }
}
