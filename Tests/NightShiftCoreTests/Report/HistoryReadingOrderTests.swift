@testable import NightShiftCore
import XCTest

/// `nightshift history` reads like a report: each night's line before its jobs, sizes in
/// units people read.
final class HistoryReadingOrderTests: XCTestCase {
    func testANightsLineComesBeforeItsJobs() {
        let earlier = HistoryRecord.job(JobRecord(name: "Old", start: 50, end: 60, result: .ok))
        let a = HistoryRecord.job(JobRecord(name: "A", start: 110, end: 120, result: .ok))
        let b = HistoryRecord.job(JobRecord(name: "B", start: 120, end: 130, result: .failed, reason: "exit 3"))
        let night = HistoryRecord.cycle(CycleRecord(start: 100, end: 140, ran: true, reason: "all offline", result: "failed"))
        let c = HistoryRecord.job(JobRecord(name: "C", start: 210, end: 220, result: .ok))
        let second = HistoryRecord.cycle(CycleRecord(start: 200, end: 230, ran: true, reason: "window", result: "ok"))
        XCTAssertEqual(HistoryReport.nightsFirst([earlier, a, b, night, c, second]), [earlier, night, a, b, second, c])
        let text = HistoryReport.render([a, b, night], timeZone: ZoneRules.utc)
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines[1].contains("night"), text)
        XCTAssertTrue(lines[2].contains("job A") && lines[3].contains("job B"), text)
    }

    func testSizesAreHuman() {
        XCTAssertEqual(ByteCountText.human(0), "0 B")
        XCTAssertEqual(ByteCountText.human(1023), "1023 B")
        XCTAssertEqual(ByteCountText.human(1024), "1.0 KiB")
        XCTAssertEqual(ByteCountText.human(1_258_291), "1.2 MiB")
        XCTAssertEqual(ByteCountText.human(1_048_575), "1.0 MiB")
        XCTAssertEqual(ByteCountText.human(5 << 30), "5.0 GiB")
        XCTAssertEqual(ByteCountText.human(Int.max), "8192.0 PiB")
        let run = HistoryRecord.job(JobRecord(name: "A", start: 0, end: 1, result: .ok, files: 12, bytes: 1_258_291))
        XCTAssertTrue(HistoryReport.render([run]).contains("12 files, 1.2 MiB"), HistoryReport.render([run]))
    }
}
