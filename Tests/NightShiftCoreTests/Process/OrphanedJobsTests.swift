import Foundation
import XCTest
@testable import NightShiftCore

/// A job left `running` by a dead instance is interrupted at the next start, and the copy
/// that instance left running is ended first (invariant 9).
final class OrphanedJobsTests: XCTestCase {
    /// Starts a stand-in for a copy a dead nightshift left: a session and group of its own
    /// (leader `sleep L`, member `sleep L+1`), not a child of this test. Returns its group.
    private func startOrphanCopy(_ n: Int, runID: String?, dir: String) throws -> (group: Int32, start: UInt64) {
        let pidFile = dir + "/leader.pid"
        // posix_spawn rather than Foundation's Process, whose child holds a socket that
        // the background grandchild would inherit, so waiting for the child would hang.
        var env = ProcessInfo.processInfo.environment
        env[ProcessFamily.environmentKey] = runID
        let script = "setsid sh -c 'echo $$ > \(pidFile); sleep \(n + 1) & exec sleep \(n)' </dev/null >/dev/null 2>&1 &"
        XCTAssertEqual(spawnAndWait(["/bin/sh", "-c", script], environment: env.map { "\($0.key)=\($0.value)" }), 0)
        var group: Int32?
        XCTAssertTrue(poll(seconds: 5) {
            group = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return group.map { processes(withArgv: ["sleep", String(n)]) == [$0] } == true
                && !processes(withArgv: ["sleep", String(n + 1)]).isEmpty
        })
        let leader = try XCTUnwrap(group)
        return (leader, try XCTUnwrap(ProcStat.startTime(of: leader)))
    }

    private func cleanUp(_ n: Int) {
        for argv in [["sleep", String(n)], ["sleep", String(n + 1)]] {
            for pid in processes(withArgv: argv) { kill(pid, SIGKILL) }
        }
    }

    private func state(running process: JobProcess) -> NightShiftState {
        var state = NightShiftState()
        state.recordJobStart("X", at: 100)
        state.jobs["X"]?.process = process
        state.recordJobEnd("Y", at: 50, result: .ok)
        return state
    }

    func testCopyOfADeadOwnerIsTerminatedAndTheJobInterrupted() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(3201) }
        let runID = ProcessFamily.makeRunID()
        let copy = try startOrphanCopy(3201, runID: runID, dir: dir)
        // The owner pid is this process, but with another start time: a recycled pid, so dead.
        let me = OrphanedJobs.currentOwner
        var state = state(running: JobProcess(ownerPid: me.pid, ownerStart: me.start + 12345,
                                              group: copy.group, groupStart: copy.start, runID: runID))
        let recovered = OrphanedJobs.recover(state: &state, at: 200, grace: 1)
        XCTAssertEqual(recovered.map(\.job), ["X"])
        XCTAssertEqual(recovered.first?.terminated, 2)
        XCTAssertTrue(poll(seconds: 2) { processes(withArgv: ["sleep", "3201"]).isEmpty && processes(withArgv: ["sleep", "3202"]).isEmpty })
        XCTAssertEqual(state.jobs["X"]?.result, .interrupted)
        XCTAssertEqual(state.jobs["X"]?.reason,
                       "interrupted: nightshift (pid \(me.pid)) died; its copy (group \(copy.group)) was terminated")
        XCTAssertEqual(state.jobs["X"]?.lastEnd, 200)
        XCTAssertNil(state.jobs["X"]?.process)
        XCTAssertEqual(state.jobs["Y"]?.result, .ok)
    }

    /// Killed between the spawn and the process record: only `starting_run_id` was saved.
    /// The processes carrying that run id are ended; one without it (a stranger) is not.
    func testAJobKilledAsItsCopyStartedIsFoundByItsStartingRunID() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(3231); cleanUp(3241) }
        let runID = ProcessFamily.makeRunID()
        _ = try startOrphanCopy(3231, runID: runID, dir: dir)
        let stranger = try startOrphanCopy(3241, runID: ProcessFamily.makeRunID(), dir: dir)
        var state = NightShiftState()
        state.recordJobStart("X", at: 100)
        state.jobs["X"]?.startingRunID = runID
        let recovered = OrphanedJobs.recover(state: &state, at: 200, grace: 1)
        XCTAssertEqual(recovered, [.init(job: "X", start: 100,
                                         reason: "interrupted: nightshift died as its copy started; the copy was terminated",
                                         terminated: 2)])
        XCTAssertTrue(poll(seconds: 2) { processes(withArgv: ["sleep", "3231"]).isEmpty && processes(withArgv: ["sleep", "3232"]).isEmpty },
                      "the copy that carries the run id still runs")
        XCTAssertEqual(state.jobs["X"]?.result, .interrupted)
        XCTAssertNil(state.jobs["X"]?.startingRunID, "the run id outlived the job's end")
        XCTAssertEqual(processes(withArgv: ["sleep", "3241"]), [stranger.group], "a process without the run id was hit")
        XCTAssertEqual(processes(withArgv: ["sleep", "3242"]).count, 1)
    }

    /// A starting run id whose copy never started (or already ended): interrupted, nothing ended.
    func testAStartingRunIDWithNoProcessLeftEndsNothing() {
        var state = NightShiftState()
        state.recordJobStart("X", at: 100)
        state.jobs["X"]?.startingRunID = ProcessFamily.makeRunID()
        let recovered = OrphanedJobs.recover(state: &state, at: 200, grace: 1)
        XCTAssertEqual(recovered, [.init(job: "X", start: 100, reason: "interrupted: nightshift died while it ran", terminated: 0)])
        XCTAssertEqual(state.jobs["X"]?.result, .interrupted)
    }

    func testALiveOwnerIsLeftAlone() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(3211) }
        let copy = try startOrphanCopy(3211, runID: nil, dir: dir)
        let me = OrphanedJobs.currentOwner
        var state = state(running: JobProcess(ownerPid: me.pid, ownerStart: me.start, group: copy.group, groupStart: copy.start))
        let before = state
        XCTAssertEqual(OrphanedJobs.recover(state: &state, at: 200, grace: 1), [])
        XCTAssertEqual(state, before)
        XCTAssertEqual(processes(withArgv: ["sleep", "3211"]), [copy.group])
    }

    func testARecycledGroupLeaderIsNotKilled() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(3221) }
        // The recorded leader started at another time: the pid now belongs to someone else.
        let copy = try startOrphanCopy(3221, runID: nil, dir: dir)
        let dead = try deadPid()
        var state = state(running: JobProcess(ownerPid: dead, ownerStart: 1, group: copy.group,
                                              groupStart: copy.start - 1, runID: ProcessFamily.makeRunID()))
        let recovered = OrphanedJobs.recover(state: &state, at: 200, grace: 1)
        XCTAssertEqual(recovered.first?.terminated, 0)
        XCTAssertEqual(state.jobs["X"]?.result, .interrupted)
        XCTAssertEqual(state.jobs["X"]?.reason, "interrupted: nightshift (pid \(dead)) died while it ran")
        usleep(200_000)
        XCTAssertEqual(processes(withArgv: ["sleep", "3221"]), [copy.group])
        XCTAssertEqual(processes(withArgv: ["sleep", "3222"]).count, 1)
    }

    func testARunningJobWithoutAProcessRecordIsInterrupted() {
        var state = NightShiftState()
        state.recordJobStart("X", at: 100)
        let recovered = OrphanedJobs.recover(state: &state, at: 200)
        XCTAssertEqual(recovered, [.init(job: "X", start: 100, reason: "interrupted: nightshift died while it ran", terminated: 0)])
        XCTAssertEqual(state.jobs["X"]?.result, .interrupted)
    }

    func testTheProcessRecordRoundTripsThroughJSON() throws {
        var job = JobState(lastStart: 1, result: .running)
        job.process = JobProcess(ownerPid: 7, ownerStart: 8, group: 9, groupStart: 10, runID: "r")
        let data = try JSONEncoder().encode(job)
        let json = String(decoding: data, as: UTF8.self)
        for key in ["\"owner_pid\":7", "\"owner_start_time\":8", "\"group\":9", "\"group_start_time\":10", "\"run_id\":\"r\""] {
            XCTAssertTrue(json.contains(key), json)
        }
        XCTAssertEqual(try JSONDecoder().decode(JobState.self, from: data), job)
        XCTAssertNil(try JSONDecoder().decode(JobState.self, from: Data(#"{"result":"ok"}"#.utf8)).process)
        var starting = JobState(lastStart: 1, result: .running)
        starting.startingRunID = "s"
        let startingJSON = String(decoding: try JSONEncoder().encode(starting), as: UTF8.self)
        XCTAssertTrue(startingJSON.contains("\"starting_run_id\":\"s\""), startingJSON)
        XCTAssertEqual(try JSONDecoder().decode(JobState.self, from: Data(startingJSON.utf8)), starting)
    }

    /// A pid that no longer runs (a finished child of ours, reaped).
    private func deadPid() throws -> Int32 {
        var pid: pid_t = 0
        XCTAssertEqual(spawnAndWait(["/bin/true"], environment: [], pid: &pid), 0)
        return pid
    }
}

/// Runs `argv` with posix_spawn and waits for it; returns its exit status.
@discardableResult
func spawnAndWait(_ argv: [String], environment: [String]) -> Int32 {
    var pid: pid_t = 0
    return spawnAndWait(argv, environment: environment, pid: &pid)
}

func spawnAndWait(_ argv: [String], environment: [String], pid: inout pid_t) -> Int32 {
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup($0) } + [nil]
    defer { (cArgs + cEnv).forEach { free($0) } }
    guard posix_spawn(&pid, argv[0], nil, nil, cArgs, cEnv) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xff
}
