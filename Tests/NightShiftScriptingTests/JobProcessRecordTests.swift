import Foundation
import LuaBinding
import NightShiftCore
@testable import NightShiftScripting
import XCTest

/// While a job runs a program, state.json names the owner instance and the program's
/// process group (with start times), so a later instance can end a leftover copy.
final class JobProcessRecordTests: XCTestCase {
    func testTheRunningProgramIsRecordedUntilTheJobEnds() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let stateFile = f.dir + "/state/state.json"
        // The child itself waits (bounded) until its record is in the state file.
        let r = try rt.executeWithCore("""
            core.state.job_started("X")
            local r = ns.exec({"sh", "-c", "i=0; while [ $i -lt 200 ]; do grep -q owner_pid \(stateFile) && cat \(stateFile) && exit 0; i=$((i+1)); sleep 0.05; done; exit 1"}, {log = "none"})
            core.state.job_finished("X", "ok", "exit 0", 1)
            return r.ok, r.stdout
            """)
        XCTAssertEqual(r.first?.boolValue, true, "\(r)")
        let during = try JSONDecoder().decode(NightShiftState.self, from: Data((r[1].stringValue ?? "").utf8))
        let process = try XCTUnwrap(during.jobs["X"]?.process)
        XCTAssertEqual(process.ownerPid, getpid())
        XCTAssertEqual(process.ownerStart, OrphanedJobs.currentOwner.start)
        XCTAssertGreaterThan(process.group, 0)
        XCTAssertGreaterThan(process.groupStart, 0)
        XCTAssertNotNil(process.runID)
        let after = try StateStore(directory: f.dir + "/state").load().state
        XCTAssertEqual(after.jobs["X"]?.result, .ok)
        XCTAssertNil(after.jobs["X"]?.process)
    }

    func testAnExecOutsideAJobRecordsNothing() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        try rt.executeWithCore("""
            core.state.job_started("X")
            core.state.job_finished("X", "ok", "exit 0", 1)
            ns.exec({"true"}, {log = "none"})
            """)
        let state = try StateStore(directory: f.dir + "/state").load().state
        XCTAssertNil(state.jobs["X"]?.process)
    }
}
