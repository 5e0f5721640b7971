import Foundation
import XCTest
@testable import NightShiftCore

/// A descendant that drops the run id (`env -i`), leaves the session (`setsid -f`) and loses
/// its parent before any scan can see it is still ended with its job (invariant 9), by the
/// job's cgroup where the system offers one and by the subreaper where it does not.
final class EscapingDescendantTests: XCTestCase {
    private func escape(_ n: Int) -> String { "env -i X=1 setsid -f sleep \(n)" }

    /// Both containments, the cgroup one only where this test process may make one.
    private func containments() -> [(String, Bool)] {
        var list = [("subreaper", false)]
        if JobCgroup.parent() != nil { list.append(("cgroup", true)) }
        return list
    }

    func testTheEscapedSleepIsGoneWhenTheJobEnds() async throws {
        for (index, (name, cgroup)) in containments().enumerated() {
            let n = 3201 + index
            let result = try await ProcessRunner.run(ExecRequest(.shell(escape(n)), killGrace: 0.5, cgroup: cgroup))
            XCTAssertTrue(result.ok, name)
            assertNoSleeper(n, name)
        }
    }

    func testTheEscapedSleepIsGoneWhenTheJobTimesOut() async throws {
        for (index, (name, cgroup)) in containments().enumerated() {
            let n = 3211 + index
            let result = try await ProcessRunner.run(ExecRequest(.shell(escape(n) + "; sleep 30"), timeout: 0.5, killGrace: 0.5, cgroup: cgroup))
            XCTAssertTrue(result.timedOut, name)
            assertNoSleeper(n, name)
        }
    }

    func testTheEscapedSleepIsGoneWhenTheJobIsInterrupted() async throws {
        for (index, (name, cgroup)) in containments().enumerated() {
            let n = 3221 + index
            let request = ExecRequest(.shell(escape(n) + "; sleep 30"), killGrace: 0.5, cgroup: cgroup)
            let task = Task { try await ProcessRunner.run(request) }
            XCTAssertTrue(poll(seconds: 10) { !processes(withArgv: ["sleep", String(n)]).isEmpty }, name)
            XCTAssertGreaterThanOrEqual(ChildProcesses.terminateAll(grace: 0.5), 1, name)
            let result = try await task.value
            XCTAssertTrue(result.interrupted, name)
            assertNoSleeper(n, name)
        }
        XCTAssertTrue(ChildProcesses.waitUntilIdle(timeout: 1))
    }

    func testTheContainmentInForceIsReported() async throws {
        let plain = try await ProcessRunner.run(ExecRequest(.shell("true"), cgroup: false))
        XCTAssertEqual(plain.containment, .subreaper)
        guard JobCgroup.parent() != nil else { return }
        let contained = try await ProcessRunner.run(ExecRequest(.shell("cat /proc/self/cgroup"), cgroup: true))
        guard case .cgroup(let path) = contained.containment else {
            return XCTFail("a writable cgroup v2 was not used: \(contained.containment)")
        }
        // The job ran in its own cgroup, which is removed once the job is over.
        let name = (path as NSString).lastPathComponent
        XCTAssertTrue(String(decoding: contained.stdout, as: UTF8.self).contains(name))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    private func assertNoSleeper(_ n: Int, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let argv = ["sleep", String(n)]
        let gone = poll(seconds: 3) { processes(withArgv: argv).isEmpty }
        XCTAssertTrue(gone, "\(name): sleep \(n) outlived its job", file: file, line: line)
        for pid in processes(withArgv: argv) { kill(pid, SIGKILL) }
    }
}
