import Glibc

/// What a transport reports about one target while the scheduler waits.
enum ProbeEvent {
    case answered(target: Int, rttMilliseconds: Double)
    case unreachable(target: Int, reason: String)
}

/// What happened to one send.
enum ProbeSendOutcome {
    case sent
    /// Socket buffer full: try again very soon.
    case busy
    case failed(String)
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
    /// Whether an ICMP error or a failed send decides "down" at once (a sweep) or only is
    /// remembered while probing goes on (wait_up: a booting host is unreachable for a while).
    var unreachableIsFinal: Bool
    /// Seconds between consecutive sends across all targets.
    var pacing: Double
    /// Text of the error for a target that never answered.
    var silenceMessage: String
}

/// The single-threaded event loop behind every sweep: all probes out at once (or paced),
/// replies collected with poll(2), and a return the moment the last target is decided.
struct ProbeScheduler {
    let schedule: ProbeSchedule

    private struct TargetState {
        var decided: ProbeResult?
        var attempts = 0
        var nextSendAt = 0.0
        var lastSentAt = 0.0
        var lastError: String?
    }

    /// Runs until every target in `targets` (indices into the transport's list) is decided.
    func run(targets: [Int], transport: ProbeTransport) -> [Int: ProbeResult] {
        var states: [Int: TargetState] = [:]
        let start = NetSys.monotonic()
        for target in targets { states[target] = TargetState(nextSendAt: start) }
        var pending = targets
        var nextPaceAt = start

        func decide(_ target: Int, _ result: ProbeResult) {
            guard states[target]?.decided == nil else { return }
            states[target]?.decided = result
            transport.retire(target: target)
        }

        while true {
            var now = NetSys.monotonic()
            for target in pending where states[target]!.decided == nil {
                let state = states[target]!
                if let limit = schedule.maxAttempts, state.attempts >= limit { continue }
                guard state.nextSendAt <= now, now < schedule.deadline else { continue }
                if schedule.pacing > 0 {
                    guard now >= nextPaceAt else { break }
                    nextPaceAt = now + schedule.pacing
                }
                switch transport.send(target: target, now: now) {
                case .sent:
                    states[target]!.attempts += 1
                    states[target]!.lastSentAt = now
                    states[target]!.nextSendAt = now + schedule.spacing
                case .busy:
                    states[target]!.nextSendAt = now + 0.001
                case .failed(let reason):
                    if schedule.unreachableIsFinal {
                        decide(target, ProbeResult(up: false, error: reason))
                    } else {
                        states[target]!.attempts += 1
                        states[target]!.lastSentAt = now
                        states[target]!.nextSendAt = now + schedule.spacing
                        states[target]!.lastError = reason
                    }
                }
                if schedule.pacing > 0 { now = NetSys.monotonic() }
            }

            now = NetSys.monotonic()
            for target in pending where states[target]!.decided == nil {
                let state = states[target]!
                let exhausted = schedule.maxAttempts.map { state.attempts >= $0 } ?? false
                if now >= schedule.deadline || (exhausted && now >= state.lastSentAt + schedule.probeTimeout) {
                    decide(target, ProbeResult(up: false, error: state.lastError ?? schedule.silenceMessage))
                }
            }
            pending.removeAll { states[$0]!.decided != nil }
            if pending.isEmpty { break }

            var wake = schedule.deadline
            for target in pending {
                let state = states[target]!
                if let limit = schedule.maxAttempts, state.attempts >= limit {
                    wake = min(wake, state.lastSentAt + schedule.probeTimeout)
                } else {
                    wake = min(wake, max(state.nextSendAt, schedule.pacing > 0 ? nextPaceAt : 0))
                }
            }
            var descriptors = transport.pollDescriptors(now: now)
            let waitMilliseconds = max(0, Int32(min(((wake - now) * 1000).rounded(.up), 60_000)))
            let ready = descriptors.withUnsafeMutableBufferPointer {
                poll($0.baseAddress, nfds_t($0.count), waitMilliseconds)
            }
            if ready > 0 {
                for event in transport.handle(ready: descriptors.filter { $0.revents != 0 }, now: NetSys.monotonic()) {
                    switch event {
                    case let .answered(target, rtt):
                        decide(target, ProbeResult(up: true, rttMilliseconds: rtt))
                    case let .unreachable(target, reason):
                        if schedule.unreachableIsFinal {
                            decide(target, ProbeResult(up: false, error: reason))
                        } else {
                            states[target]?.lastError = reason
                        }
                    }
                }
            }
        }
        return states.compactMapValues(\.decided)
    }
}
