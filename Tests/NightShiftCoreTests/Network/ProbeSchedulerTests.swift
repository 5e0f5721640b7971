import Foundation
import Glibc
@testable import NightShiftCore
import XCTest

/// The sweep loop's own rules, with a scripted transport (no network): a send that stays
/// "busy" or replies our socket dropped end as unknown, never as a silent down host or a hang.
final class ProbeSchedulerTests: XCTestCase {
    /// Answers nothing; `send` returns what the test scripts, and drops can be reported.
    private final class ScriptedTransport: ProbeTransport {
        var outcome: (Int) -> ProbeSendOutcome
        var sends: [Int] = []
        var receiveDrops: UInt64 = 0
        /// Drops the kernel reports (on the next read) for each probe sent.
        var dropsPerSend: UInt64 = 0
        private var unreported: UInt64 = 0

        init(_ outcome: @escaping (Int) -> ProbeSendOutcome) { self.outcome = outcome }

        func send(target: Int, now: Double) -> ProbeSendOutcome {
            sends.append(target)
            let result = outcome(target)
            if case .sent = result { unreported += dropsPerSend }
            return result
        }
        func pollDescriptors(now: Double) -> [pollfd] {
            receiveDrops += unreported
            unreported = 0
            return []
        }
        func handle(ready: [pollfd], now: Double) -> [ProbeEvent] { [] }
        func retire(target: Int) {}
    }

    private func schedule(attempts: Int? = 1, deadline: Double = .infinity, final: Bool = true) -> ProbeSchedule {
        ProbeSchedule(spacing: 0.05, maxAttempts: attempts, probeTimeout: 0.1, deadline: deadline,
                      unreachableIsFinal: final, silenceMessage: "no reply", stop: nil)
    }

    func testASendThatStaysBusyEndsAsUnknownAfterTheProbeTimeout() {
        let transport = ScriptedTransport { _ in .busy("no buffer space available") }
        let started = NetSys.monotonic()
        let results = ProbeScheduler(schedule: schedule()).run(count: 2, transport: transport)
        XCTAssertLessThan(NetSys.monotonic() - started, 2)
        for target in 0..<2 {
            XCTAssertEqual(results[target], ProbeResult(up: false, error: "cannot send: no buffer space available", unknown: true))
        }
    }

    func testALocalFailureIsUnknownAtOnceInASweep() {
        let transport = ScriptedTransport { $0 == 0 ? .localFailure("network is unreachable") : .sent }
        let results = ProbeScheduler(schedule: schedule()).run(count: 2, transport: transport)
        XCTAssertEqual(results[0], ProbeResult(up: false, error: "network is unreachable", unknown: true))
        XCTAssertEqual(results[1], ProbeResult(up: false, error: "no reply"))
        XCTAssertEqual(transport.sends.filter { $0 == 0 }.count, 1)
    }

    func testDroppedRepliesAreAskedAgainThenUnknown() {
        let transport = ScriptedTransport { _ in .sent }
        transport.dropsPerSend = 1
        let results = ProbeScheduler(schedule: schedule(attempts: 1)).run(count: 1, transport: transport)
        XCTAssertEqual(transport.sends.count, 1 + ProbeScheduler.maxExtraAttempts)
        XCTAssertEqual(results[0]?.unknown, true, "\(String(describing: results[0]))")
        XCTAssertEqual(results[0]?.error, "replies were lost: our receive buffer overflowed")
    }

    func testWaitUpIsUnknownWhenTheLastProbeFailedLocally() {
        var calls = 0
        let transport = ScriptedTransport { _ in
            calls += 1
            return calls <= 2 ? .sent : .localFailure("network is unreachable")
        }
        let results = ProbeScheduler(schedule: schedule(attempts: nil, deadline: NetSys.monotonic() + 0.4, final: false))
            .run(count: 1, transport: transport)
        XCTAssertEqual(results[0], ProbeResult(up: false, error: "network is unreachable", unknown: true))
    }

    func testAStopEndsTheLoopAtOnce() {
        let interruption = Interruption()
        var s = schedule(attempts: nil, deadline: NetSys.monotonic() + 30, final: false)
        s.stop = ProbeStop(interruption: interruption, stopOnAnswer: false)
        let transport = ScriptedTransport { _ in .sent }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interruption.trigger(signal: SIGTERM) }
        let started = NetSys.monotonic()
        _ = ProbeScheduler(schedule: s).run(count: 1, transport: transport)
        XCTAssertLessThan(NetSys.monotonic() - started, 1.0)
    }
}
