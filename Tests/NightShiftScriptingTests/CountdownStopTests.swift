import Foundation
import XCTest

/// SIGTERM while the loop counts down to its next check: the announced check will not
/// come, so state.json must stop announcing it and `status` must say the loop was stopped.
final class CountdownStopTests: XCTestCase {
    private func lastCycle(_ f: ScriptFixture) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: f.dir + "/state/state.json"),
              let state = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return state["last_cycle"] as? [String: Any]
    }

    func testSigtermDuringTheCountdownClearsTheNextCheckAndStatusSaysTheLoopStopped() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", "settings { check_every = \"1h\" }\n")
        let p = try NightshiftProcess(["run", path], in: f.dir)
        XCTAssertTrue(eventually(within: 30) { self.lastCycle(f)?["next_check"] != nil }, p.output)
        kill(p.process.processIdentifier, SIGTERM)
        XCTAssertEqual(p.exitCode(within: 15), 143, p.output)
        let cycle = try XCTUnwrap(lastCycle(f), p.output)
        XCTAssertNil(cycle["next_check"], "a stopped loop still announces its next check: \(cycle)")
        XCTAssertEqual(cycle["stopped_by"] as? String, "interrupted by SIGTERM")
        let stoppedAt = try XCTUnwrap(cycle["stopped_at"] as? Double)
        XCTAssertGreaterThanOrEqual(stoppedAt, try XCTUnwrap(cycle["end"] as? Double))
        XCTAssertEqual(cycle["result"] as? String, "skipped", "the finished cycle's own result was lost")

        let status = try NightShiftBinary.run(["status", "--state-dir", f.dir + "/state"])
        XCTAssertEqual(status.status, 0, status.output)
        XCTAssertTrue(status.output.contains("Next check: none, nightshift was stopped at "), status.output)
        XCTAssertTrue(status.output.contains("(interrupted by SIGTERM)"), status.output)
        let json = try NightShiftBinary.run(["status", "--state-dir", f.dir + "/state", "--json"])
        XCTAssertTrue(json.output.contains("\"stopped_by\" : \"interrupted by SIGTERM\""), json.output)

        // The next start's first cycle announces a check again and forgets the stop.
        let again = try NightshiftProcess(["run", path], in: f.dir)
        XCTAssertTrue(eventually(within: 30) { self.lastCycle(f)?["next_check"] != nil }, again.output)
        XCTAssertNil(lastCycle(f)?["stopped_at"])
        kill(again.process.processIdentifier, SIGTERM)
        XCTAssertEqual(again.exitCode(within: 15), 143)
    }
}
