import Foundation
import XCTest
@testable import NightShiftCore

final class CountdownTests: XCTestCase {
    func testClockFormat() {
        XCTAssertEqual(Countdown.clock(0), "00:00:00")
        XCTAssertEqual(Countdown.clock(59.2), "00:01:00")
        XCTAssertEqual(Countdown.clock(3599), "00:59:59")
        XCTAssertEqual(Countdown.clock(3600 * 100 + 61), "100:01:01")
    }

    func testOffTerminalOneLineInFileAndConsoleAndItWaits() throws {
        let captured = try CapturedLog(terminal: false)
        let start = ContinuousClock.now
        try Countdown.run(seconds: 1.2, text: "Next check in", log: captured.log, interruption: Interruption())
        let elapsed = ContinuousClock.now.seconds(since: start)
        XCTAssertGreaterThanOrEqual(elapsed, 1.15)
        XCTAssertLessThan(elapsed, 1.6)
        let lines = captured.fileLines()
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(matches(lines[0], stampPattern + "INFO  Next check in 00:00:02"), lines[0])
        XCTAssertEqual(captured.console(), captured.file())
    }

    func testOnTerminalRewritesOneLineEverySecondAndLogsOnce() throws {
        let captured = try CapturedLog(terminal: true)
        try Countdown.run(seconds: 2.5, text: "Next check in", log: captured.log, interruption: Interruption())
        XCTAssertEqual(captured.fileLines().count, 1)
        XCTAssertTrue(captured.fileLines()[0].hasSuffix("INFO  Next check in 00:00:03"))
        let console = captured.console()
        XCTAssertFalse(console.contains("\n"), console.debugDescription)
        let frames = console.components(separatedBy: "\r\u{1B}[K").filter { !$0.isEmpty }
        XCTAssertEqual(frames, ["Next check in 00:00:03 ...", "Next check in 00:00:02 ...", "Next check in 00:00:01 ..."])
        XCTAssertTrue(console.hasSuffix("\r\u{1B}[K"), "the live line is erased at the end")
    }

    func testCountdownIsInterruptedAtOnce() throws {
        for terminal in [false, true] {
            let captured = try CapturedLog(terminal: terminal)
            let interruption = Interruption()
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { interruption.trigger(signal: SIGTERM) }
            let start = ContinuousClock.now
            XCTAssertThrowsError(try Countdown.run(seconds: 30, text: "Next check in", log: captured.log, interruption: interruption)) { error in
                XCTAssertEqual(error as? InterruptedError, InterruptedError(signal: SIGTERM))
            }
            let elapsed = ContinuousClock.now.seconds(since: start)
            XCTAssertGreaterThanOrEqual(elapsed, 0.25)
            XCTAssertLessThan(elapsed, 0.6)
            XCTAssertEqual(captured.fileLines().count, 1)
        }
    }

    func testSleepWaitsAndIsInterruptible() throws {
        let interruption = Interruption()
        var start = ContinuousClock.now
        try interruption.sleep(seconds: 0.3)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now.seconds(since: start), 0.29)
        XCTAssertFalse(interruption.wait(seconds: 0.05))

        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interruption.trigger() }
        start = ContinuousClock.now
        XCTAssertThrowsError(try interruption.sleep(seconds: 10))
        XCTAssertLessThan(ContinuousClock.now.seconds(since: start), 0.5)
        XCTAssertEqual(interruption.signal, SIGINT)
        // Stays raised: every later waiter returns at once.
        XCTAssertTrue(interruption.wait(seconds: 5))
        interruption.reset()
        XCTAssertFalse(interruption.isTriggered)
        XCTAssertFalse(interruption.wait(seconds: 0.05))
    }

    func testTriggerFromARealSignalHandler() throws {
        // A C signal handler cannot capture context, so it uses the shared instance.
        Interruption.shared.reset()
        defer { Interruption.shared.reset(); signal(SIGUSR2, SIG_DFL) }
        signal(SIGUSR2) { number in Interruption.shared.trigger(signal: number) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { kill(getpid(), SIGUSR2) }
        let start = ContinuousClock.now
        XCTAssertThrowsError(try Interruption.shared.sleep(seconds: 10)) { error in
            XCTAssertEqual((error as? InterruptedError)?.signal, SIGUSR2)
        }
        XCTAssertLessThan(ContinuousClock.now.seconds(since: start), 0.5)
    }

    func testNonFiniteDurationsDoNotTrap() throws {
        let interruption = Interruption()
        XCTAssertFalse(interruption.wait(seconds: .nan))
        XCTAssertFalse(interruption.wait(seconds: -5))
        let captured = try CapturedLog()
        try Countdown.run(seconds: .nan, text: "now", log: captured.log, interruption: interruption)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interruption.trigger() }
        XCTAssertThrowsError(try interruption.sleep(seconds: .infinity))
        XCTAssertThrowsError(try Countdown.run(seconds: .infinity, text: "forever", log: captured.log, interruption: interruption))
    }
}
