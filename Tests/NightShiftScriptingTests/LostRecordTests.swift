import Foundation
import NightShiftCore
import NightShiftScripting
import XCTest

/// A night whose record cannot be written (a full disk, a read-only mount; here a
/// history.jsonl that is a folder) fails visibly: exit 1 with `--once`, a message naming
/// the file and the system's error, and the failure event, instead of a silent exit 0.
final class LostRecordTests: XCTestCase {
    private func site(_ f: ScriptFixture) throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", self_sleep = "none", state_dir = "\(f.dir)/state", log_file = "\(f.dir)/test.log" }
            host "Nas" { }
            job "Copy" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            on("failure", function(e) ns.log.warn("FAILURE EVENT: %s", e.reason) end)
            """)
    }

    private func run(_ path: String, _ f: ScriptFixture) -> Int32 {
        CycleLoop(scriptPath: path, options: ScriptOptions(manual: true, noSleep: true), once: true, log: f.log,
                    interruption: Interruption()).run()
    }

    func testANightWhoseHistoryCannotBeWrittenExitsOneNamingTheFile() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        let history = f.dir + "/state/history.jsonl"
        try FileManager.default.createDirectory(atPath: history, withIntermediateDirectories: true)
        XCTAssertEqual(run(path, f), 1, f.logText)
        let log = f.logText
        XCTAssertTrue(log.contains("Job Copy: ok"), log)
        XCTAssertTrue(log.contains("Cannot append to history: ") && log.contains(history) && log.contains("is not a regular file (a directory)"), log)
        XCTAssertTrue(log.contains("The cycle fails: 2 writes to the state folder failed, the first: Cannot append to history"), log)
        XCTAssertTrue(log.contains("FAILURE EVENT: the night could not be recorded: Cannot append to history"), log)
        let state = try StateStore(directory: f.dir + "/state").load().state
        XCTAssertEqual(state.jobs["Copy"]?.result, .ok, "the job's own result is kept")
        XCTAssertEqual(state.lastCycle?.result, "failed")
        XCTAssertTrue(state.lastCycle?.reason?.hasPrefix("not recorded: Cannot append to history") == true,
                      String(describing: state.lastCycle))

        // The fault gone, the next night records and exits 0 again.
        try FileManager.default.removeItem(atPath: history)
        XCTAssertEqual(run(path, f), 0, f.logText)
        XCTAssertEqual(try StateStore(directory: f.dir + "/state").load().state.lastCycle?.result, "ok")
    }
}
