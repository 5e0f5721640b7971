import Foundation
import XCTest

/// `nightshift history` and `nightshift status [SCRIPT] [--json]` with its monitoring exit codes.
final class HistoryCommandTests: XCTestCase {
    func testHistoryJsonAfterThreeNightsHasThreeNightsAndOneRecordPerJobPerNight() throws {
        let n = ObservedNight(f: try ScriptFixture())
        try n.site(settings: #"state_dir = "st""#, n.failingJob("A") + n.failingJob("B"))
        for _ in 0..<3 { XCTAssertEqual(try n.night(), 1, n.log) }
        let r = try n.run(["history", n.f.dir + "/site.lua", "--json"])
        XCTAssertEqual(r.code, 0, r.output)
        let records = r.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(records.filter { $0["type"] as? String == "cycle" }.count, 3, r.output)
        for job in ["A", "B"] {
            XCTAssertEqual(records.filter { $0["type"] as? String == "job" && $0["name"] as? String == job }.count, 3, r.output)
        }
        let text = try n.run(["history", "--state-dir", n.f.dir + "/st", "--job", "A", "--last", "2"])
        XCTAssertEqual(text.code, 0, text.output)
        XCTAssertEqual(text.output.split(separator: "\n").filter { $0.contains("job A") }.count, 2, text.output)
        XCTAssertFalse(text.output.contains("job B"), text.output)
        XCTAssertTrue(text.output.contains("exit 3"), text.output)
    }

    func testStatusExitsOneWhenAJobFailedOrIsStaleAndZeroWhenAllIsWell() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let ok = #"job "Good" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" }, max_age = "%@" }"#
        try n.site(ok.replacingOccurrences(of: "%@", with: "1h"))
        XCTAssertEqual(try n.night(), 0, n.log)
        let fine = try n.run(["status", n.f.dir + "/site.lua"])
        XCTAssertEqual(fine.code, 0, fine.output)
        let json = try n.run(["status", n.f.dir + "/site.lua", "--json"])
        XCTAssertEqual(json.code, 0, json.output)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], json.output)
        XCTAssertEqual(doc["ok"] as? Bool, true)
        let good = try XCTUnwrap((doc["jobs"] as? [String: Any])?["Good"] as? [String: Any])
        XCTAssertEqual(good["result"] as? String, "ok")
        XCTAssertEqual(good["max_age"] as? Double, 3600)
        // The night the run recorded is what status reports as the last night.
        XCTAssertTrue(fine.output.range(of: #"Last night: started \d{4}-\d\d-\d\d \d\d:\d\d, took [^:]+: ok\n"#,
                                        options: .regularExpression) != nil, fine.output)
        let night = try XCTUnwrap(doc["last_night"] as? [String: Any], json.output)
        XCTAssertEqual(night["result"] as? String, "ok")
        let nightStart = try XCTUnwrap(night["start"] as? Double), nightEnd = try XCTUnwrap(night["end"] as? Double)
        XCTAssertLessThanOrEqual(nightStart, nightEnd)

        // A max_age of 1 s makes the job stale a second after its good run.
        try n.site(ok.replacingOccurrences(of: "%@", with: "1s"))
        var stale: (code: Int32?, output: String) = (nil, "")
        XCTAssertTrue(eventually(within: 20) {
            stale = (try? n.run(["status", n.f.dir + "/site.lua"])) ?? (nil, "")
            return stale.code == 1
        }, stale.output)
        XCTAssertTrue(stale.output.contains("STALE"), stale.output)
        let staleJSON = try n.run(["status", n.f.dir + "/site.lua", "--json"])
        XCTAssertEqual(staleJSON.code, 1)
        XCTAssertTrue(staleJSON.output.contains(#""stale" : ["#), staleJSON.output)

        // A failed last run: exit 1 too, without a script (state.json holds max_age).
        try n.site(n.failingJob("Good"))
        XCTAssertEqual(try n.night(), 1, n.log)
        let failed = try n.run(["status", "--state-dir", n.f.dir + "/state"])
        XCTAssertEqual(failed.code, 1)
        XCTAssertTrue(failed.output.contains(": failed\n") && failed.output.contains("Last night: started"), failed.output)
        XCTAssertEqual(try n.run(["status", "--bogus"]).code, 2)
    }
}
