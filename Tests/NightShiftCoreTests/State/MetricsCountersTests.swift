import Foundation
import XCTest
@testable import NightShiftCore

/// The metrics' totals come from state.json's counters plus the lines appended since, never
/// from a read of the whole history (a cycle costs the same in year five as on day one).
final class MetricsCountersTests: XCTestCase {
    func testTotalsComeFromStateCountersAndTheNewLinesOnly() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        let store = StateStore(directory: dir.path)
        try log.append(.job(JobRecord(name: "Nas", start: 1, end: 2, result: .ok)))
        var state = NightShiftState()
        try HistoryCounters.catchUp(&state, directory: dir.path, now: 3)
        // Totals carried over from records retention dropped long ago: a scan could not know them.
        state.history?.jobs["Nas"]?.runs = 1_000
        state.history?.jobs["Nas"]?.failures = 40
        state.history?.cycles = 900
        state.jobs["Nas"] = JobState()
        state.jobs["Nas"]?.maxAge = 7_200
        try store.save(state)
        try log.append(.job(JobRecord(name: "Nas", start: 5, end: 6, result: .failed)))
        let prom = dir.file("nightshift.prom")
        try MetricsTextfile.write(path: prom, stateDir: dir.path, now: 10)
        let text = try String(contentsOfFile: prom, encoding: .utf8)
        XCTAssertTrue(text.contains(#"nightshift_job_runs_total{backup_job="Nas"} 1001"#), text)
        XCTAssertTrue(text.contains(#"nightshift_job_failures_total{backup_job="Nas"} 41"#), text)
        XCTAssertTrue(text.contains("nightshift_cycles_total 900"), text)
        XCTAssertTrue(text.contains(#"nightshift_job_max_age_seconds{backup_job="Nas"} 7200"#), text)
        XCTAssertFalse(text.contains("{job="), text)
    }
}
