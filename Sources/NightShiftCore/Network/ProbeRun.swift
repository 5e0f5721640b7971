import Glibc

/// One run of the probe scheduler: every target's state, and the steps of its event loop
/// (take shared answers, send what is due, decide what expired, wait for replies).
struct ProbeRun {
    let schedule: ProbeSchedule
    let transport: ProbeTransport
    /// The targets not decided yet.
    private(set) var pending: [Int]
    private var states: [TargetState]
    private var sendsSinceDrain = 0
    private var answersSeen = 0

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

    init(schedule: ProbeSchedule, transport: ProbeTransport, count: Int, start: Double) {
        self.schedule = schedule
        self.transport = transport
        states = [TargetState](repeating: TargetState(nextSendAt: start), count: count)
        pending = Array(0..<count)
    }

    /// Another probe of the same address (another loop) got an answer: this one is done.
    mutating func takeAnswersOfOtherProbes() {
        guard let stop = schedule.stop, let names = schedule.targetNames, stop.answersSoFar != answersSeen else { return }
        answersSeen = stop.answersSoFar
        for target in pending where states[target].decided == nil && stop.hasAnswered(names[target]) {
            decide(target, ProbeResult(up: false, error: "answered another probe"))
        }
    }

    /// Sends every probe that is due and still allowed.
    mutating func sendDueProbes(now: Double) {
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
                if sendsSinceDrain >= ProbeScheduler.sendsPerDrain {
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
    }

    /// Decides every target whose last probe went unanswered for long enough, or all at the deadline.
    mutating func decideExpired(now: Double) {
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
               state.extraAttempts < ProbeScheduler.maxExtraAttempts {
                states[target].extraAttempts += 1
                states[target].nextSendAt = now
                continue
            }
            decide(target, unanswered(state))
        }
        pending.removeAll { states[$0].decided != nil }
    }

    /// Waits in poll(2) until a reply comes or the next probe or timeout is due, and reads the replies.
    mutating func waitForReplies(now: Double) {
        var wake = schedule.deadline
        for target in pending {
            let state = states[target]
            if let limit = schedule.maxAttempts, state.attempts >= limit + state.extraAttempts {
                wake = min(wake, state.lastSentAt + schedule.probeTimeout)
            } else {
                wake = min(wake, state.nextSendAt)
            }
        }
        if schedule.stop != nil { wake = min(wake, now + ProbeScheduler.stopCheckInterval) }
        let waitMilliseconds = max(0, Int32(min(((wake - now) * 1000).rounded(.up), 60_000)))
        readReplies(now: now, waitMilliseconds: waitMilliseconds)
    }

    /// Every target's result; the undecided ones (a stop ended the run) get their state so far.
    mutating func results() -> [Int: ProbeResult] {
        for target in pending where states[target].decided == nil { states[target].decided = unanswered(states[target]) }
        var results: [Int: ProbeResult] = [:]
        for (target, state) in states.enumerated() { results[target] = state.decided }
        return results
    }

    private mutating func decide(_ target: Int, _ result: ProbeResult) {
        guard states[target].decided == nil else { return }
        states[target].decided = result
        transport.retire(target: target)
        if result.up { schedule.stop?.noteAnswer(schedule.targetNames?[target]) }
    }

    private mutating func apply(_ events: [ProbeEvent]) {
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
    private mutating func drain() {
        readReplies(now: NetSys.monotonic(), waitMilliseconds: 0)
    }

    /// One poll(2) over the transport's descriptors, then what is ready is read; an
    /// interrupted poll reads nothing (the loop polls again).
    private mutating func readReplies(now: Double, waitMilliseconds: Int32) {
        var descriptors = transport.pollDescriptors(now: now)
        let ready = descriptors.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), waitMilliseconds) }
        if ready > 0 { apply(transport.handle(ready: descriptors.filter { $0.revents != 0 }, now: NetSys.monotonic())) }
    }

    private mutating func failedLocally(_ target: Int, _ reason: String, at now: Double) {
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
    private func unanswered(_ state: TargetState) -> ProbeResult {
        if state.lastWasLocal { return ProbeResult(up: false, error: state.lastError, unknown: true) }
        if transport.receiveDrops > state.dropsAtLastSend {
            return ProbeResult(up: false, error: "replies were lost: our receive buffer overflowed", unknown: true)
        }
        return ProbeResult(up: false, error: state.lastError ?? schedule.silenceMessage)
    }
}
