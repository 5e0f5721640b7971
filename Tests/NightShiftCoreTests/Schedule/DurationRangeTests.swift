import XCTest
@testable import NightShiftCore

/// Durations are range-checked where they are parsed: nothing a script gives can trap later.
final class DurationRangeTests: XCTestCase {
    func testTextLongerThanTenYearsIsRefused() throws {
        XCTAssertEqual(try DurationText.parse("3650d"), 3_650 * 86_400)
        for bad in ["100000000000000000000d", "3653d", "87700h", "999999999999999999999999s", "400000000"] {
            XCTAssertThrowsError(try DurationText.parse(bad), bad) { error in
                XCTAssertEqual("\(error)", "invalid duration \"\(bad)\" (at most 10 years)")
            }
        }
    }

    func testNumbersLongerThanTenYearsAreRefused() throws {
        XCTAssertEqual(try DurationText.validate(seconds: DurationText.maximum), DurationText.maximum)
        XCTAssertThrowsError(try DurationText.validate(seconds: 1e20 * 86_400)) { error in
            XCTAssertEqual("\(error)", "invalid duration 8.64e+24 (at most 10 years)")
        }
        XCTAssertThrowsError(try DurationText.validate(seconds: -0.5))
        XCTAssertThrowsError(try DurationText.validate(seconds: -.infinity))
    }

    func testFormattingNeverTraps() {
        // Values from old state files or arithmetic: Int() of these would trap (SIGILL).
        XCTAssertEqual(DurationText.format(1e20 * 86_400), "?")
        XCTAssertEqual(DurationText.format(-1e300), "?")
        XCTAssertEqual(DurationText.format(.nan), "?")
        XCTAssertEqual(DurationText.countdown(1e300), "277777777777:46:40")
        XCTAssertEqual(DurationText.countdown(.infinity), "00:00:00")
    }
}
