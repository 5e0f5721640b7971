import Foundation
import XCTest

/// The failure report in the office share tells staff what to do: once a later night backs
/// the job up again, the report says it is resolved instead of standing there as today's.
final class FailureReportResolvedTests: XCTestCase {
    func testALaterGoodNightMarksTheJobsReportResolved() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let reports = n.f.dir + "/share"
        let marker = n.f.dir + "/source-is-back"
        try n.site("""
            on("failure", ns.report.copy_log("\(reports)"))
            job "Docs" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "test -f \(marker)" } }
            job "Mail" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "exit 3" } }
            """)
        XCTAssertEqual(try n.night(), 1, n.log)
        let failed = reports + "/Backup Job Docs failed.txt", resolved = reports + "/Backup Job Docs failed (resolved).txt"
        XCTAssertTrue(FileManager.default.fileExists(atPath: failed), n.log)
        let original = try String(contentsOfFile: failed, encoding: .utf8)

        _ = FileManager.default.createFile(atPath: marker, contents: nil)
        XCTAssertEqual(try n.night(), 1, "Mail still fails: \(n.log)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: failed), "the failure report of a job that is fine again is gone")
        let text = try String(contentsOfFile: resolved, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("RESOLVED: job Docs backed up fine at "), text)
        XCTAssertTrue(text.hasSuffix(original), "the old report is kept below the note")
        XCTAssertTrue(FileManager.default.fileExists(atPath: reports + "/Backup Job Mail failed.txt"), "a job still failing keeps its report")
        XCTAssertTrue(n.log.contains("Failure report of job Docs marked resolved"), n.log)
    }
}
