import Synchronization
import XCTest
@testable import NightShiftCore

/// Records the argv of every call instead of touching the machine.
final class RecordingRunner: Sendable {
    let calls = Mutex<[[String]]>([])
    let reply: @Sendable ([String]) throws -> (code: Int32, output: String)

    init(reply: @escaping @Sendable ([String]) throws -> (code: Int32, output: String) = { _ in (0, "") }) {
        self.reply = reply
    }

    var runner: Power.Runner {
        { argv in
            self.calls.withLock { $0.append(argv) }
            return try self.reply(argv)
        }
    }
}

struct Unstartable: Error, CustomStringConvertible {
    var description: String { "No such file or directory" }
}

final class PowerTests: XCTestCase {
    func testEachActionRunsItsSystemctlVerb() throws {
        let recorder = RecordingRunner()
        let power = Power(runner: recorder.runner)
        XCTAssertNoThrow(try power.hibernate().get())
        XCTAssertNoThrow(try power.suspend().get())
        XCTAssertNoThrow(try power.shutdown().get())
        XCTAssertEqual(recorder.calls.withLock { $0 },
                       [["systemctl", "hibernate"], ["systemctl", "suspend"], ["systemctl", "poweroff"]])
    }

    func testNonZeroExitBecomesAnErrorWithTheLastOutputLine() {
        let recorder = RecordingRunner { _ in (1, "Call to Hibernate failed:\nSleep verb \"hibernate\" not supported\n") }
        let result = Power(runner: recorder.runner).hibernate()
        XCTAssertEqual(result.failureMessage, #"systemctl hibernate failed (exit 1): Sleep verb "hibernate" not supported"#)
        let silent = RecordingRunner { _ in (5, "") }
        XCTAssertEqual(Power(runner: silent.runner).shutdown().failureMessage, "systemctl poweroff failed (exit 5)")
    }

    func testUnstartableCommandBecomesAnError() {
        let recorder = RecordingRunner { _ in throw Unstartable() }
        XCTAssertEqual(Power(runner: recorder.runner).suspend().failureMessage,
                       "systemctl suspend could not be started: No such file or directory")
    }

    func testDefaultRunnerRunsARealProcessWithoutAShell() throws {
        // Exercises the real swift-subprocess path with harmless programs, never systemctl.
        let echoed = try Power.subprocessRunner(["echo", "x; rm -rf /", "$(id)"])
        XCTAssertEqual(echoed.code, 0)
        XCTAssertEqual(echoed.output, "x; rm -rf / $(id)\n")
        let both = try Power.subprocessRunner(["sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(both.code, 3)
        XCTAssertTrue(both.output.contains("out") && both.output.contains("err"), both.output)
        XCTAssertThrowsError(try Power.subprocessRunner(["nightshift-no-such-program-here"]))
        XCTAssertThrowsError(try Power.subprocessRunner([]))
    }
}

extension Result where Failure == PowerError {
    var failureMessage: String? {
        if case .failure(let error) = self { return error.message }
        return nil
    }
}

/// `Power` runs `systemctl` through `ProcessRunner`: registered for the signal teardown, bounded in time.
final class PowerRunnerTests: XCTestCase {
    func testTheDefaultRunnerIsRegisteredWhileItRuns() throws {
        let done = expectation(description: "runner returned")
        DispatchQueue.global().async {
            _ = try? Power.subprocessRunner(["sh", "-c", "exec sleep 3401"])
            done.fulfill()
        }
        defer {
            ChildProcesses.terminateAll(grace: 0.5)
            wait(for: [done], timeout: 10)
        }
        XCTAssertTrue(poll(seconds: 5) { !processes(withArgv: ["sleep", "3401"]).isEmpty })
        let group = try XCTUnwrap(processes(withArgv: ["sleep", "3401"]).first)
        XCTAssertTrue(ChildProcesses.groups.contains(group), "\(ChildProcesses.groups) lacks \(group)")
    }

    func testARunnerThatHangsIsEndedByItsTimeout() throws {
        let start = ContinuousClock.now
        let (code, _) = try Power.runner(timeout: 0.3)(["sleep", "3402"])
        XCTAssertEqual(code, 128 + SIGTERM)
        XCTAssertLessThan(ContinuousClock.now.seconds(since: start), 8)
        XCTAssertEqual(Power.timeout, 60)
    }
}
