import Foundation
import XCTest

/// The night's summary block: each job's result, duration and rsync's own counts;
/// a "success" that found nothing to back up is a warning unless `allow_empty = true`.
final class NightSummaryTests: XCTestCase {
    func testTheSummaryBlockShowsEachJobWithRsyncsCounts() throws {
        guard ScriptTool.which("rsync") != nil else { throw XCTSkip("rsync is not installed") }
        let n = ObservedNight(f: try ScriptFixture())
        let src = try n.sourceFolder("src", files: 7)
        try n.site(n.rsyncJob("Copy", from: src) + n.failingJob("Broken") + """
            on("after_backup", function(ev)
              ns.log.info("payload summary lines: %d, result %s", #ev.summary, ev.result)
            end)
            """)
        XCTAssertEqual(try n.night(), 1, n.log)
        let log = n.log
        XCTAssertTrue(log.contains("=== Night summary: failed ==="), log)
        let copy = try XCTUnwrap(log.split(separator: "\n").first { $0.contains("  Copy ") && $0.contains(" ok ") }, log)
        XCTAssertTrue(copy.contains("7 of 7 files"), String(copy))
        XCTAssertTrue(copy.contains("success"), "rsync's exit meaning: \(copy)")
        XCTAssertTrue(log.split(separator: "\n").contains { $0.contains("  Broken ") && $0.contains("failed") }, log)
        XCTAssertTrue(log.contains("payload summary lines: 3, result failed"), log)
        // history.jsonl carries rsync's counts too.
        let history = try String(contentsOfFile: n.f.dir + "/state/history.jsonl", encoding: .utf8)
        XCTAssertTrue(history.contains("\"files\":7"), history)
    }

    func testAnRsyncThatFoundNothingIsAWarningUnlessAllowEmpty() throws {
        guard ScriptTool.which("rsync") != nil else { throw XCTSkip("rsync is not installed") }
        let n = ObservedNight(f: try ScriptFixture())
        let empty = try n.sourceFolder("empty", files: 0)
        try n.site(n.rsyncJob("Empty", from: empty) + n.rsyncJob("Fine", from: empty, extra: "allow_empty = true,"))
        XCTAssertEqual(try n.night(), 0, n.log)
        let log = n.log
        XCTAssertTrue(log.contains("Job Empty: warning (exit 0, but it found no file to back up"), log)
        XCTAssertTrue(log.contains("Job Fine: ok (exit 0"), log)
        XCTAssertTrue(log.contains("Night done with warnings: jobs with warnings: Empty"), log)
    }
}
