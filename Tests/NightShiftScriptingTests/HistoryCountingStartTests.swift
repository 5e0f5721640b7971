import Foundation
import NightShiftCore
import NightShiftScripting
import XCTest

/// The start counts an old history into state.json once (the upgrade), but never by writing
/// over a state file the first cycle must see as it is: missing (unknown) or corrupt.
final class HistoryCountingStartTests: XCTestCase {
    private func site(_ f: ScriptFixture) throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", self_sleep = "none", state_dir = "\(f.dir)/state", log_file = "\(f.dir)/test.log" }
            host "Nas" { }
            job "Copy" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            """)
    }

    private func run(_ path: String, _ f: ScriptFixture) -> Int32 {
        CycleLoop(scriptPath: path, options: ScriptOptions(manual: true, noSleep: true), once: true, log: f.log,
                    interruption: Interruption()).run()
    }

    private func oldHistory(_ dir: String) throws {
        let log = HistoryLog(directory: dir)
        for day in 0..<20 {
            try log.append(.job(JobRecord(name: "Copy", start: Double(day) * 86_400, end: Double(day) * 86_400 + 60,
                                          result: day % 5 == 0 ? .failed : .ok)))
        }
    }

    func testACorruptStateIsQuarantinedNotOverwrittenByTheCounting() throws {
        let f = try ScriptFixture()
        let dir = f.dir + "/state"
        try oldHistory(dir)
        try f.write("state/state.json", "{ not json")
        XCTAssertEqual(run(try site(f), f), 0, f.logText)
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("state.json.corrupt-") }
        XCTAssertEqual(kept.count, 1, "the corrupt file is kept aside: \(f.logText)")
        let counters = try XCTUnwrap(try StateStore(directory: dir).load().state.history)
        XCTAssertEqual(counters.jobs["Copy"]?.runs, 21, "the 20 old runs and tonight's")
        XCTAssertEqual(counters.jobs["Copy"]?.failures, 4)
        XCTAssertNotNil(counters.seeded, "counted from the old history once")
    }

    func testAnUpgradedStateCountsItsOldHistoryOnceAtStart() throws {
        let f = try ScriptFixture()
        let dir = f.dir + "/state"
        try oldHistory(dir)
        try StateStore(directory: dir).save(NightShiftState())
        XCTAssertEqual(run(try site(f), f), 0, f.logText)
        XCTAssertTrue(f.logText.contains("Counted the 20 line(s) of \(dir)/history.jsonl once"), f.logText)
        let counters = try XCTUnwrap(try StateStore(directory: dir).load().state.history)
        XCTAssertEqual(counters.jobs["Copy"]?.runs, 21)
        XCTAssertEqual(counters.cycles, 1)
        XCTAssertEqual(run(try site(f), f), 0, f.logText)
        XCTAssertEqual(f.logText.components(separatedBy: "Counted the ").count, 2, "read once, not at every start")
        XCTAssertEqual(try StateStore(directory: dir).load().state.history?.cycles, 2)
    }
}
