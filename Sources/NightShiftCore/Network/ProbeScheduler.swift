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

    private struct TargetState {
        var decided: ProbeResult?
        var attempts = 0
        var extraAttempts = 0
        var nextSendAt = 0.0
        var lastSentAt = 0.0
        var lastError: String?
        /// The latest attempt failed on this machine: the target's state is unknown.
        var lastWasLocal = false
        var busySince: Double?
        var dropsAtLastSend: UInt64 = 0
    }

    /// Runs until every target `0..<count` (indices into the transport's list) is decided, or
    /// the stop signal ends it (then the undecided ones get their state so far).
    func run(count: Int, transport: ProbeTransport) -> [Int: ProbeResult] {
        let start = NetSys.monotonic()
        var states = [TargetState](repeating: TargetState(nextSendAt: start), count: count)
        var pending = Array(0..<count)
        var sendsSinceDrain = 0
        var answersSeen = 0

        func decide(_ target: Int, _ result: ProbeResult) {
            guard states[target].decided == nil else { return }
            states[target].decided = result
            transport.retire(target: target)
            if result.up { schedule.stop?.noteAnswer(schedule.targetNames?[target]) }
        }

        func apply(_ events: [ProbeEvent]) {
            for event in events {
                switch event {
                case let .answered(target, rtt):
                    decide(target, ProbeResult(up: true, rttMilliseconds: rtt))
                case let .unreachable(target, reason):
                    if schedule.unreachableIsFinal {
                        decide(target, ProbeResult(up: false, error: reason))
                    } else {
                        states[target].lastError = reason
                        states[target].lastWasLocal = false
                    }
                }
            }
        }

        /// Reads whatever is ready now, without waiting.
        func drain() {
            var descriptors = transport.pollDescriptors(now: NetSys.monotonic())
            let ready = descriptors.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), 0) }
            if ready > 0 { apply(transport.handle(ready: descriptors.filter { $0.revents != 0 }, now: NetSys.monotonic())) }
        }

        func failedLocally(_ target: Int, _ reason: String, at now: Double) {
            if schedule.unreachableIsFinal {
                decide(target, ProbeResult(up: false, error: reason, unknown: true))
                return
            }
            states[target].attempts += 1
            states[target].lastSentAt = now
            states[target].nextSendAt = now + schedule.spacing
            states[target].lastError = reason
            states[target].lastWasLocal = true
            states[target].busySince = nil
        }

        /// The verdict for a target that got no answer: unknown when our side failed, else down.
        func unanswered(_ state: TargetState) -> ProbeResult {
            if state.lastWasLocal { return ProbeResult(up: false, error: state.lastError, unknown: true) }
            if transport.receiveDrops > state.dropsAtLastSend {
                return ProbeResult(up: false, error: "replies were lost: our receive buffer overflowed", unknown: true)
            }
            return ProbeResult(up: false, error: state.lastError ?? schedule.silenceMessage)
        }

        while true {
            if schedule.stop?.shouldStop == true { break }
            // Another probe of the same address (another loop) got an answer: this one is done.
            if let stop = schedule.stop, let names = schedule.targetNames, stop.answersSoFar != answersSeen {
                answersSeen = stop.answersSoFar
                for target in pending where states[target].decided == nil && stop.hasAnswered(names[target]) {
                    decide(target, ProbeResult(up: false, error: "answered another probe"))
                }
            }
            var now = NetSys.monotonic()
            for target in pending where states[target].decided == nil {
                let state = states[target]
                if let limit = schedule.maxAttempts, state.attempts >= limit + state.extraAttempts { continue }
                guard state.nextSendAt <= now, now < schedule.deadline else { continue }
                switch transport.send(target: target, now: now) {
                case .sent:
                    states[target].attempts += 1
                    states[target].lastSentAt = now
                    states[target].nextSendAt = now + schedule.spacing
                    states[target].busySince = nil
                    states[target].lastWasLocal = false
                    states[target].dropsAtLastSend = transport.receiveDrops
                    sendsSinceDrain += 1
                    if sendsSinceDrain >= Self.sendsPerDrain {
                        sendsSinceDrain = 0
                        drain()
                    }
                case .busy(let reason):
                    let since = state.busySince ?? now
                    states[target].busySince = since
                    if now - since >= schedule.probeTimeout {
                        failedLocally(target, "cannot send: \(reason)", at: now)
                    } else {
                        states[target].nextSendAt = now + 0.001
                        // A full queue may be full of our own unread replies.
                        drain()
                    }
                case .localFailure(let reason):
                    failedLocally(target, reason, at: now)
                }
            }

            now = NetSys.monotonic()
            for target in pending where states[target].decided == nil {
                let state = states[target]
                let limit = schedule.maxAttempts.map { $0 + state.extraAttempts }
                let exhausted = limit.map { state.attempts >= $0 } ?? false
                guard now >= schedule.deadline || (exhausted && now >= state.lastSentAt + schedule.probeTimeout) else {
                    continue
                }
                // Our socket dropped replies since this target's last probe: ask again
                // rather than call it down.
                if now < schedule.deadline, !state.lastWasLocal, transport.receiveDrops > state.dropsAtLastSend,
                   state.extraAttempts < Self.maxExtraAttempts {
                    states[target].extraAttempts += 1
                    states[target].nextSendAt = now
                    continue
                }
                decide(target, unanswered(state))
            }
            pending.removeAll { states[$0].decided != nil }
            if pending.isEmpty { break }

            var wake = schedule.deadline
            for target in pending {
                let state = states[target]
                if let limit = schedule.maxAttempts, state.attempts >= limit + state.extraAttempts {
                    wake = min(wake, state.lastSentAt + schedule.probeTimeout)
                } else {
                    wake = min(wake, state.nextSendAt)
                }
            }
            if schedule.stop != nil { wake = min(wake, now + Self.stopCheckInterval) }
            var descriptors = transport.pollDescriptors(now: now)
            let waitMilliseconds = max(0, Int32(min(((wake - now) * 1000).rounded(.up), 60_000)))
            let ready = descriptors.withUnsafeMutableBufferPointer {
                poll($0.baseAddress, nfds_t($0.count), waitMilliseconds)
            }
            if ready > 0 {
                apply(transport.handle(ready: descriptors.filter { $0.revents != 0 }, now: NetSys.monotonic()))
            }
        }
        for target in pending where states[target].decided == nil { states[target].decided = unanswered(states[target]) }
        var results: [Int: ProbeResult] = [:]
        for (target, state) in states.enumerated() { results[target] = state.decided }
        return results
    }
}
