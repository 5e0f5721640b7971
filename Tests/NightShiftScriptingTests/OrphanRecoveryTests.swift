import Foundation
import LuaBinding
import NightShiftCore
import NightShiftScripting
import XCTest

/// `nightshift run` starts by ending the copy a dead instance left running and marking
/// its job interrupted, before the first cycle (invariant 9).
final class OrphanRecoveryTests: XCTestCase {
    func testStartUpEndsTheLeftoverCopyAndRecordsTheJobInterrupted() throws {
        let f = try ScriptFixture()
        let stateDir = f.dir + "/state"
        defer { for pid in sleepers(3301) { kill(pid, SIGKILL) } }
        // The stand-in copy: its own session and group, not a child of ours.
        let pidFile = f.dir + "/copy.pid"
        XCTAssertEqual(spawn(["/bin/sh", "-c", "setsid sh -c 'echo $$ > \(pidFile); exec sleep 3301' </dev/null >/dev/null 2>&1 &"]), 0)
        var group: Int32 = 0
        XCTAssertTrue(waitFor(5) {
            group = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            return group > 0 && self.sleepers(3301) == [group]
        })
        let groupStart = try XCTUnwrap(ProcStat.startTime(of: group))
        var state = NightShiftState()
        state.recordJobStart("X", at: 100)
        // The owner: a pid that is not (or no longer) the recorded process.
        state.jobs["X"]?.process = JobProcess(ownerPid: getpid(), ownerStart: OrphanedJobs.currentOwner.start + 999,
                                              group: group, groupStart: groupStart)
        try StateStore(directory: stateDir).save(state)
        let script = try f.write("site.lua", """
            settings { self = "Nas", self_sleep = "none", state_dir = "\(stateDir)", log_file = "\(f.dir)/test.log" }
            host "Nas" { }
            """)
        let runner = CycleLoop(scriptPath: script, options: ScriptOptions(noSleep: true), once: true, log: f.log,
                                 interruption: Interruption())
        _ = runner.run()
        XCTAssertTrue(waitFor(2) { self.sleepers(3301).isEmpty }, "the leftover copy still runs")
        let after = try StateStore(directory: stateDir).load().state
        XCTAssertEqual(after.jobs["X"]?.result, .interrupted)
        let reason = "interrupted: nightshift (pid \(getpid())) died; its copy (group \(group)) was terminated"
        XCTAssertEqual(after.jobs["X"]?.reason, reason)
        let jobs = try HistoryLog(directory: stateDir).read().records.compactMap { record -> JobRecord? in
            if case .job(let job) = record { return job }
            return nil
        }
        XCTAssertEqual(jobs.map(\.name), ["X"])
        XCTAssertEqual(jobs.first?.result, .interrupted)
        XCTAssertEqual(jobs.first?.reason, reason)
        XCTAssertEqual(jobs.first?.start, 100)
        XCTAssertTrue(f.logText.contains("Job X: " + reason), f.logText)
    }

    private func sleepers(_ n: Int) -> [Int32] {
        let wanted = Array("sleep\0\(n)\0".utf8)
        return ProcStat.all().filter { stat in
            !stat.isZombie && FileManager.default.contents(atPath: "/proc/\(stat.pid)/cmdline").map(Array.init) == wanted
        }.map(\.pid)
    }

    private func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// posix_spawn and wait (Foundation's Process would wait for the background grandchild too).
    private func spawn(_ argv: [String]) -> Int32 {
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        guard posix_spawn(&pid, argv[0], nil, nil, cArgs, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }
}
