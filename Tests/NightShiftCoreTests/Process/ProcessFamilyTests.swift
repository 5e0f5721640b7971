import Foundation
import XCTest
@testable import NightShiftCore

/// No descendant of a job outlives it (invariant 9): children that left the job's
/// group or session, or lost their parent, are ended with the job on every path.
final class ProcessFamilyTests: XCTestCase {
    /// The three ways a copy tool leaves something behind; `N` is a unique sleep duration.
    private func leftovers(_ n: Int) -> [(String, String)] {
        [
            ("setsid", "setsid sleep \(n) &"),
            ("nohup", "nohup sleep \(n + 1) &"),
            ("double fork", "(sleep \(n + 2) &) &"),
        ]
    }

    func testLeftoversAreEndedWhenTheJobEndsNormally() async throws {
        for (name, line) in leftovers(3101) {
            let result = try await ProcessRunner.run(ExecRequest(.shell(line), killGrace: 0.5))
            XCTAssertTrue(result.ok, name)
            XCTAssertLessThan(result.seconds, 10, name)
        }
        assertNoSleepers(3101 ... 3103)
    }

    func testLeftoversAreEndedWhenTheJobTimesOut() async throws {
        for (name, line) in leftovers(3111) {
            let result = try await ProcessRunner.run(ExecRequest(.shell(line + " sleep 30"), timeout: 0.3, killGrace: 0.5))
            XCTAssertTrue(result.timedOut, name)
            XCTAssertLessThan(result.seconds, 10, name)
        }
        assertNoSleepers(3111 ... 3113)
    }

    func testLeftoversAreEndedWhenTheJobIsInterrupted() async throws {
        for (name, line) in leftovers(3121) {
            let task = Task { try await ProcessRunner.run(ExecRequest(.shell(line + " sleep 30"), killGrace: 0.5)) }
            // Wait until the background child exists, so the interrupt hits a running job.
            let marker = ["sleep", String(3121 + leftovers(3121).firstIndex { $0.0 == name }!)]
            XCTAssertTrue(poll(seconds: 5) { !processes(withArgv: marker).isEmpty }, name)
            XCTAssertGreaterThanOrEqual(ChildProcesses.terminateAll(grace: 0.5), 1, name)
            let result = try await task.value
            XCTAssertTrue(result.interrupted, name)
            XCTAssertLessThan(result.seconds, 10, name)
        }
        assertNoSleepers(3121 ... 3123)
        XCTAssertTrue(ChildProcesses.waitUntilIdle(timeout: 1))
    }

    func testALeftoverThatIgnoresSigtermIsKilled() async throws {
        // The job ends once the leftover runs (its trap set before the exec), not after a guess
        // of 0.2 s: on a busy machine the leftover might not exist yet, and the test would prove nothing.
        let line = "setsid sh -c 'trap \"\" TERM; exec sleep 3131' & until pgrep -fx 'sleep 3131' >/dev/null; do sleep 0.01; done"
        let result = try await ProcessRunner.run(ExecRequest(.shell(line), killGrace: 0.3))
        XCTAssertTrue(result.ok)
        assertNoSleepers(3131 ... 3131)
    }

    func testAdoptedZombiesAreReaped() async throws {
        // The background child exits by itself while the job still runs: with us as its
        // subreaper it becomes our zombie, which must not stay.
        let result = try await ProcessRunner.run(ExecRequest(.shell("(setsid sh -c 'echo $$; exec true' &) ; sleep 1.5")))
        XCTAssertTrue(result.ok)
        let pid = try XCTUnwrap(Int32(text(result.stdout).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertTrue(poll(seconds: 2) { ProcStat.read(pid: pid).map { !$0.isZombie || $0.ppid != getpid() } ?? true })
    }

    func testStatParsingSurvivesParenthesesInTheName() throws {
        let stat = try XCTUnwrap(ProcStat(parsing: "42 (a) b (c)) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 9876 0 0"))
        XCTAssertEqual(stat.pid, 42)
        XCTAssertEqual(stat.state, "S")
        XCTAssertEqual(stat.ppid, 1)
        XCTAssertEqual(stat.pgid, 42)
        XCTAssertEqual(stat.sid, 42)
        XCTAssertEqual(stat.startTime, 9876)
        XCTAssertEqual(ProcStat.read(pid: getpid())?.pid, getpid())
    }

    private func assertNoSleepers(_ range: ClosedRange<Int>, file: StaticString = #filePath, line: UInt = #line) {
        for n in range {
            let argv = ["sleep", String(n)]
            let gone = poll(seconds: 2) { processes(withArgv: argv).isEmpty }
            XCTAssertTrue(gone, "sleep \(n) outlived its job: \(processes(withArgv: argv))", file: file, line: line)
            for pid in processes(withArgv: argv) { kill(pid, SIGKILL) }
        }
    }
}

/// Live (non-zombie) processes whose command line is exactly `argv`.
func processes(withArgv argv: [String]) -> [Int32] {
    let wanted = Array(argv.joined(separator: "\0").utf8) + [0]
    return ProcStat.all().filter { stat in
        guard !stat.isZombie, let cmdline = FileManager.default.contents(atPath: "/proc/\(stat.pid)/cmdline") else { return false }
        return Array(cmdline) == wanted
    }.map(\.pid)
}

/// Polls `condition` every 10 ms for up to `seconds`; true once it holds.
func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
