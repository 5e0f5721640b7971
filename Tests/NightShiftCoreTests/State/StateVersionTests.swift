import Foundation
import XCTest
@testable import NightShiftCore

/// A state.json from a newer NightShift is never rewritten; fields this build does not know survive.
final class StateVersionTests: XCTestCase {
    func testANewerVersionIsRefusedAndTheFileIsLeftAlone() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        let text = #"{"version": 2, "jobs": {"J": {"result": "ok", "future": [1, 2]}}, "new_thing": true}"# + "\n"
        try text.write(toFile: store.path, atomically: false, encoding: .utf8)
        let expected = "state.json was written by a newer NightShift (version 2; this is version \(NightShiftState.currentVersion)); refusing to change it"
        XCTAssertThrowsError(try store.load()) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        XCTAssertThrowsError(try store.load(quarantine: false)) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        XCTAssertThrowsError(try store.save(NightShiftState())) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        XCTAssertEqual(try String(contentsOfFile: store.path, encoding: .utf8), text)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [StateStore.fileName], "no quarantine copy, no temp file")
    }

    func testUnknownFieldsOfTheCurrentVersionSurviveARewrite() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        let text = """
            {"version": 1, "site_note": {"owner": "Anna"},
             "hosts": {"Backup1": {"up": true, "since": 10, "rack": "B2"}},
             "jobs": {"J": {"result": "ok", "last_start": 5, "bytes": 12345}, "Gone": {"result": "ok"}},
             "force_window": {"last_window_run": 7, "window_note": "x"}}
            """
        try text.write(toFile: store.path, atomically: false, encoding: .utf8)
        var state = try store.load().state
        state.recordJobEnd("J", at: 20, result: .failed, reason: "exit 3")
        state.retain(hosts: ["Backup1"], jobs: ["J"])
        state.hosts["Backup1"]?.up = false
        try store.save(state)

        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.path))) as? [String: Any]
        XCTAssertEqual((saved?["site_note"] as? [String: Any])?["owner"] as? String, "Anna")
        let host = (saved?["hosts"] as? [String: Any])?["Backup1"] as? [String: Any]
        XCTAssertEqual(host?["rack"] as? String, "B2")
        XCTAssertEqual(host?["up"] as? Bool, false, "known fields take the new value")
        let jobs = saved?["jobs"] as? [String: Any]
        XCTAssertEqual((jobs?["J"] as? [String: Any])?["bytes"] as? Int, 12345)
        XCTAssertEqual((jobs?["J"] as? [String: Any])?["result"] as? String, "failed")
        XCTAssertNil(jobs?["Gone"], "a job the state dropped stays dropped")
        XCTAssertEqual((saved?["force_window"] as? [String: Any])?["window_note"] as? String, "x")
        XCTAssertEqual(try store.load().state, state, "the merged file still loads as the saved state")
    }

    func testAStateWithoutUnknownFieldsIsWrittenExactlyAsBefore() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        var state = NightShiftState()
        state.recordSweep(SweepRecord(time: 1_796_154_792.25, up: ["A": true]))
        try store.save(state)
        try store.save(try store.load().state)
        var expected = try Array(StateStore.encode(state))
        expected.append(UInt8(ascii: "\n"))
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: store.path))), expected)
    }
}
