import XCTest
@testable import NightShiftCore

final class DurationTextTests: XCTestCase {
    func testParsesUnitsAndPlainSeconds() throws {
        XCTAssertEqual(try DurationText.parse("90s"), 90)
        XCTAssertEqual(try DurationText.parse("5m"), 300)
        XCTAssertEqual(try DurationText.parse("1h"), 3_600)
        XCTAssertEqual(try DurationText.parse("1h30m"), 5_400)
        XCTAssertEqual(try DurationText.parse("2d"), 172_800)
        XCTAssertEqual(try DurationText.parse("1d2h3m4s"), 86_400 + 7_200 + 180 + 4)
        XCTAssertEqual(try DurationText.parse("90"), 90)
        XCTAssertEqual(try DurationText.parse("1.5"), 1.5)
        XCTAssertEqual(try DurationText.parse("0.5m"), 30)
        XCTAssertEqual(try DurationText.parse(" 1h 05m "), 3_900)
        XCTAssertEqual(try DurationText.parse("0"), 0)
    }

    func testRejectsGarbageWithQuotedMessage() {
        for bad in ["", "5x", "h", "-5", "-5m", "1m1h", "1h1h", "1h 30", "5 5", "abc", "1..5", ".", "1e3", "inf", "nan", "5 m x"] {
            XCTAssertThrowsError(try DurationText.parse(bad), "\(bad) should fail") { error in
                let message = (error as? DurationError)?.message ?? ""
                XCTAssertTrue(message.hasPrefix("invalid duration \"\(bad)\""), message)
            }
        }
        XCTAssertThrowsError(try DurationText.parse("5x")) { error in
            XCTAssertEqual("\(error)", #"invalid duration "5x" (use e.g. "90s", "5m", "1h")"#)
        }
        XCTAssertThrowsError(try DurationText.parse("-5")) { error in
            XCTAssertEqual("\(error)", #"invalid duration "-5" (must not be negative)"#)
        }
    }

    func testValidatesNumbers() throws {
        XCTAssertEqual(try DurationText.validate(seconds: 12.5), 12.5)
        XCTAssertThrowsError(try DurationText.validate(seconds: -1))
        XCTAssertThrowsError(try DurationText.validate(seconds: .nan))
        XCTAssertThrowsError(try DurationText.validate(seconds: .infinity))
    }

    func testFormatsForPeople() {
        XCTAssertEqual(DurationText.format(0), "0s")
        XCTAssertEqual(DurationText.format(42), "42s")
        XCTAssertEqual(DurationText.format(303), "5m 03s")
        XCTAssertEqual(DurationText.format(3_900), "1h 05m")
        XCTAssertEqual(DurationText.format(20 * 3_600 + 13 * 60 + 20), "20h 13m")
        XCTAssertEqual(DurationText.format(2 * 86_400 + 3 * 3_600), "2d 03h")
        XCTAssertEqual(DurationText.format(-90), "-1m 30s")
    }

    func testCountdownRoundsUpAndNeverGoesNegative() {
        XCTAssertEqual(DurationText.countdown(3_552), "00:59:12")
        XCTAssertEqual(DurationText.countdown(3_551.2), "00:59:12")
        XCTAssertEqual(DurationText.countdown(0), "00:00:00")
        XCTAssertEqual(DurationText.countdown(-3), "00:00:00")
        XCTAssertEqual(DurationText.countdown(26 * 3_600), "26:00:00")
    }
}
