import XCTest
@testable import NightShiftCore

final class TimeWindowTests: XCTestCase {
    let utc = ZoneRules.utc
    let berlin = try! ZoneRules.named("Europe/Berlin")

    /// Builds an instant from local wall-clock fields in `zone`, through Foundation's calendar
    /// (a second opinion on the zone reader).
    func at(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int = 0, in zone: ZoneRules) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: zone.identifier)!
        return cal.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
    }

    func testParsesAndPrints() throws {
        let w = try TimeWindow(parsing: "03:00-05:00")
        XCTAssertEqual(w.startSecond, 3 * 3_600)
        XCTAssertEqual(w.endSecond, 5 * 3_600)
        XCTAssertFalse(w.spansMidnight)
        XCTAssertEqual(w.description, "03:00-05:00")
        let s = try TimeWindow(parsing: "03:00:30-05:00")
        XCTAssertEqual(s.startSecond, 3 * 3_600 + 30)
        XCTAssertEqual(s.description, "03:00:30-05:00")
        XCTAssertTrue(try TimeWindow(parsing: "22:00-02:00").spansMidnight)
        XCTAssertEqual(try TimeWindow(parsing: "3:00-5:00").description, "03:00-05:00")
    }

    func testRejectsBadWindowsWithMessages() {
        let cases: [(String, String)] = [
            ("25:00-01:00", #"invalid time window "25:00-01:00" (hour 25 is out of range 0-23)"#),
            ("03:00-03:00", #"invalid time window "03:00-03:00" (start and end are equal)"#),
            ("03:60-04:00", #"invalid time window "03:60-04:00" (minute 60 is out of range 0-59)"#),
            ("03:00:61-04:00", #"invalid time window "03:00:61-04:00" (second 61 is out of range 0-59)"#),
            ("garbage", #"invalid time window "garbage" (use e.g. "03:00-05:00" or "22:00-02:00")"#),
            ("03-05", #"invalid time window "03-05" ("03" is not HH:MM or HH:MM:SS)"#),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try TimeWindow(parsing: text)) { XCTAssertEqual("\($0)", expected) }
        }
        for text in ["", "-", "03:00-", "03:0-05:00", "a3:00-05:00", "03:00-05:00-06:00", "24:00-01:00"] {
            XCTAssertThrowsError(try TimeWindow(parsing: text), text)
        }
    }

    func testContainsIsHalfOpen() throws {
        let w = try TimeWindow(parsing: "03:00-05:00")
        XCTAssertFalse(w.contains(at(2025, 1, 10, 2, 59, 59, in: utc), in: utc))
        XCTAssertTrue(w.contains(at(2025, 1, 10, 3, 0, in: utc), in: utc))
        XCTAssertTrue(w.contains(at(2025, 1, 10, 4, 59, 59, in: utc), in: utc))
        XCTAssertFalse(w.contains(at(2025, 1, 10, 5, 0, in: utc), in: utc))
    }

    func testWindowAcrossMidnight() throws {
        let w = try TimeWindow(parsing: "22:00-02:00")
        let evening = at(2025, 1, 10, 23, 0, in: utc)
        let night = at(2025, 1, 11, 1, 0, in: utc)
        XCTAssertTrue(w.contains(evening, in: utc))
        XCTAssertTrue(w.contains(night, in: utc))
        XCTAssertFalse(w.contains(at(2025, 1, 11, 2, 0, in: utc), in: utc))
        XCTAssertFalse(w.contains(at(2025, 1, 11, 12, 0, in: utc), in: utc))
        // Both instants belong to the occurrence that started on the 10th at 22:00.
        let start = at(2025, 1, 10, 22, 0, in: utc)
        XCTAssertEqual(w.windowStart(containing: evening, in: utc), start)
        XCTAssertEqual(w.windowStart(containing: night, in: utc), start)
        XCTAssertEqual(w.windowEnd(containing: evening, in: utc), at(2025, 1, 11, 2, 0, in: utc))
        XCTAssertEqual(w.windowEnd(containing: night, in: utc), at(2025, 1, 11, 2, 0, in: utc))
        XCTAssertNil(w.windowStart(containing: at(2025, 1, 11, 12, 0, in: utc), in: utc))
    }

    func testNextStart() throws {
        let w = try TimeWindow(parsing: "03:00-05:00")
        XCTAssertEqual(w.nextStart(after: at(2025, 1, 10, 1, 0, in: utc), in: utc), at(2025, 1, 10, 3, 0, in: utc))
        XCTAssertEqual(w.nextStart(after: at(2025, 1, 10, 3, 0, in: utc), in: utc), at(2025, 1, 11, 3, 0, in: utc))
        XCTAssertEqual(w.nextStart(after: at(2025, 1, 10, 4, 0, in: utc), in: utc), at(2025, 1, 11, 3, 0, in: utc))
        // Year boundary.
        XCTAssertEqual(w.nextStart(after: at(2024, 12, 31, 6, 0, in: utc), in: utc), at(2025, 1, 1, 3, 0, in: utc))
        let late = try TimeWindow(parsing: "22:00-02:00")
        XCTAssertEqual(late.nextStart(after: at(2025, 1, 11, 1, 0, in: utc), in: utc), at(2025, 1, 11, 22, 0, in: utc))
    }

    func testTimeZoneIsHonoured() throws {
        let w = try TimeWindow(parsing: "03:00-05:00")
        let tokyo = try ZoneRules.named("Asia/Tokyo")
        // 19:00 UTC is 04:00 in Tokyo.
        let instant = at(2025, 1, 10, 19, 0, in: utc)
        XCTAssertFalse(w.contains(instant, in: utc))
        XCTAssertTrue(w.contains(instant, in: tokyo))
        XCTAssertEqual(w.windowStart(containing: instant, in: tokyo), at(2025, 1, 11, 3, 0, in: tokyo))
    }

    func testBerlinFallBackNightKeepsOneOccurrence() throws {
        // 2025-10-26: at 03:00 CEST the clock goes back to 02:00 CET; 02:30 happens twice.
        let w = try TimeWindow(parsing: "02:00-04:00")
        let firstStart = at(2025, 10, 26, 2, 0, in: berlin)
        let firstHalf = firstStart.addingTimeInterval(30 * 60)            // 02:30 CEST
        let secondHalf = firstStart.addingTimeInterval(90 * 60)           // 02:30 CET
        let later = firstStart.addingTimeInterval(150 * 60)               // 03:30 CET
        for instant in [firstHalf, secondHalf, later] {
            XCTAssertTrue(w.contains(instant, in: berlin))
            XCTAssertEqual(w.windowStart(containing: instant, in: berlin), firstStart)
        }
        // The window lasts three real hours that night and ends at 04:00 CET.
        XCTAssertEqual(w.windowEnd(containing: later, in: berlin)!.timeIntervalSince(firstStart), 3 * 3_600)
    }

    func testBerlinSpringForwardNight() throws {
        // 2025-03-30: at 02:00 CET the clock jumps to 03:00 CEST; "22:00-03:30" spans the gap.
        let w = try TimeWindow(parsing: "22:00-03:30")
        let start = at(2025, 3, 29, 22, 0, in: berlin)
        let afterJump = at(2025, 3, 30, 3, 10, in: berlin)
        XCTAssertTrue(w.contains(afterJump, in: berlin))
        XCTAssertEqual(w.windowStart(containing: afterJump, in: berlin), start)
        // Four and a half wall-clock hours, but only three and a half real ones.
        XCTAssertEqual(w.windowEnd(containing: afterJump, in: berlin)!.timeIntervalSince(start), 4.5 * 3_600)
        // A window opening inside the gap still opens that night, and never before the previous midnight.
        let gap = try TimeWindow(parsing: "02:30-04:00")
        let next = gap.nextStart(after: at(2025, 3, 30, 0, 0, in: berlin), in: berlin)
        XCTAssertGreaterThan(next, at(2025, 3, 30, 1, 59, in: berlin))
        XCTAssertLessThanOrEqual(next, at(2025, 3, 30, 4, 0, in: berlin))
        XCTAssertTrue(gap.contains(next, in: berlin))
    }

    func testWindowInsideTheSpringForwardGapOpensAtTheFirstRealMinuteAfterIt() throws {
        // 2025-03-30 in Berlin: 02:00 CET is followed by 03:00 CEST (01:00 UTC).
        let jump = at(2025, 3, 30, 1, 0, in: utc)
        let midnight = at(2025, 3, 30, 0, 0, in: berlin)
        // Starts in the gap, ends after it: opens at 03:00, not at 03:30 (a gap's length late).
        let partly = try TimeWindow(parsing: "02:30-03:30")
        XCTAssertEqual(partly.nextStart(after: midnight, in: berlin), jump)
        XCTAssertEqual(partly.windowStart(containing: jump.addingTimeInterval(60), in: berlin), jump)
        XCTAssertEqual(partly.windowEnd(containing: jump, in: berlin), at(2025, 3, 30, 3, 30, in: berlin))
        // Wholly inside the gap: still opens that night, at 03:00, for at least a minute.
        let inside = try TimeWindow(parsing: "02:15-02:45")
        XCTAssertEqual(inside.nextStart(after: midnight, in: berlin), jump)
        XCTAssertTrue(inside.contains(jump.addingTimeInterval(30), in: berlin))
        XCTAssertFalse(inside.contains(jump.addingTimeInterval(120), in: berlin))
        // The next night it is an ordinary window again.
        XCTAssertEqual(inside.nextStart(after: jump, in: berlin), at(2025, 3, 31, 2, 15, in: berlin))
    }
}
