import Foundation
import XCTest
@testable import NightShiftCore

final class ChildProcessesTests: XCTestCase {
    func testTerminateAllStopsRunningGroupsAndExecReportsInterrupted() async throws {
        let first = Task { try await ProcessRunner.run(ExecRequest(.argv(["sh", "-c", "sleep 30 & sleep 30; wait"]))) }
        let second = Task { try await ProcessRunner.run(ExecRequest(.shell("sleep 31"))) }
        // Wait until both children are registered.
        let deadline = ContinuousClock.now + .seconds(5)
        while ChildProcesses.groups.count < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let groups = ChildProcesses.groups
        XCTAssertGreaterThanOrEqual(groups.count, 2)
        let start = ContinuousClock.now
        XCTAssertGreaterThanOrEqual(ChildProcesses.terminateAll(grace: 2), 2)
        let a = try await first.value
        let b = try await second.value
        XCTAssertLessThan(ContinuousClock.now.seconds(since: start), 1)
        for result in [a, b] {
            XCTAssertTrue(result.interrupted)
            XCTAssertFalse(result.timedOut)
            XCTAssertFalse(result.ok)
            XCTAssertEqual(result.signal, SIGTERM)
            XCTAssertEqual(membersLeft(ofGroup: result.pid), [])
        }
        XCTAssertTrue(ChildProcesses.waitUntilIdle(timeout: 1))
    }

    func testTerminateAllEscalatesToSigkillAfterGrace() async throws {
        let task = Task { try await ProcessRunner.run(ExecRequest(.shell("trap '' TERM; sleep 3031 & sleep 3031; wait"))) }
        // sh forks its first sleep only after the trap is set (and the sleeps inherit the
        // ignored TERM): once both run, SIGTERM can end nobody, whatever the machine's load.
        let deadline = ContinuousClock.now + .seconds(10)
        while processes(withArgv: ["sleep", "3031"]).count < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(processes(withArgv: ["sleep", "3031"]).count, 2, "the job's sleeps never started")
        XCTAssertFalse(ChildProcesses.groups.isEmpty)
        let start = ContinuousClock.now
        ChildProcesses.terminateAll(grace: 0.5)
        let result = try await task.value
        let elapsed = ContinuousClock.now.seconds(since: start)
        XCTAssertGreaterThanOrEqual(elapsed, 0.45)
        XCTAssertLessThan(elapsed, 1.5)
        XCTAssertEqual(result.signal, SIGKILL)
        XCTAssertTrue(result.interrupted)
        XCTAssertEqual(membersLeft(ofGroup: result.pid), [])
    }

    func testTerminateAllWithNothingRunningIsHarmless() {
        XCTAssertEqual(ChildProcesses.terminateAll(grace: 1), 0)
        XCTAssertTrue(ChildProcesses.waitUntilIdle(timeout: 0.1))
    }

    func testChildStartedAfterTheInterruptionIsStoppedAtOnce() async throws {
        let interruption = Interruption()
        interruption.trigger(signal: SIGTERM)
        let start = ContinuousClock.now
        let result = try await ProcessRunner.run(ExecRequest(.argv(["sleep", "30"]), interruption: interruption))
        XCTAssertLessThan(ContinuousClock.now.seconds(since: start), 1)
        XCTAssertTrue(result.interrupted)
        XCTAssertFalse(result.ok)
        // Another instance, untriggered, does not stop anything.
        let free = try await ProcessRunner.run(ExecRequest(.argv(["true"]), interruption: Interruption()))
        XCTAssertTrue(free.ok)
    }

    func testChildHasItsOwnSessionAndGroup() async throws {
        // /proc/self/stat fields 5 and 6 are pgrp and session; both equal the child's pid.
        let result = try await ProcessRunner.run(ExecRequest(.shell("cut -d' ' -f1,5,6 /proc/self/stat")))
        let fields = text(result.stdout).split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
        XCTAssertEqual(fields.count, 3)
        // `cut` is sh's child here, so its pid differs, but group and session are sh's = result.pid.
        XCTAssertEqual(Array(fields.dropFirst()), [result.pid, result.pid])
        XCTAssertNotEqual(result.pid, getpgrp())
    }
}
