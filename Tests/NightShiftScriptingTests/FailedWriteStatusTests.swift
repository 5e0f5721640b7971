import Foundation
import XCTest

/// A write the cycle could not make (the metrics textfile into a folder that is gone) is in
/// `status`, not only in the log; the next cycle that writes it clears it.
final class FailedWriteStatusTests: XCTestCase {
    func testStatusShowsTheMetricsWriteThatFailedAtTheLastCycle() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let metrics = n.f.dir + "/textfiles/nightshift.prom"
        let path = try n.site(settings: "metrics = \"\(metrics)\"",
                              #"job "J" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }"#)
        XCTAssertEqual(try n.night(), 0, n.log)
        let failed = try n.run(["status", path])
        XCTAssertTrue(failed.output.contains("WRITE FAILED: metrics file \(metrics): "), failed.output)
        let state = try n.state()
        XCTAssertNotNil((state["last_cycle"] as? [String: Any])?["failed_writes"], "\(state)")

        try FileManager.default.createDirectory(atPath: n.f.dir + "/textfiles", withIntermediateDirectories: true)
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: metrics))
        let fine = try n.run(["status", path])
        XCTAssertFalse(fine.output.contains("WRITE FAILED"), fine.output)
    }
}
