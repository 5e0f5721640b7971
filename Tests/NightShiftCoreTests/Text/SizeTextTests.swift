import XCTest
@testable import NightShiftCore

final class SizeTextTests: XCTestCase {
    func testParsesUnitsAndBytes() throws {
        XCTAssertEqual(try SizeText.parse("512MiB"), 512 << 20)
        XCTAssertEqual(try SizeText.parse("1GiB"), 1 << 30)
        XCTAssertEqual(try SizeText.parse("64MB"), 64_000_000)
        XCTAssertEqual(try SizeText.parse(" 1.5 GiB "), 3 << 29)
        XCTAssertEqual(try SizeText.parse("2048kib"), 2 << 20)
        XCTAssertEqual(try SizeText.parse("67108864"), 64 << 20)
        XCTAssertEqual(try SizeText.parse("64GiB"), 64 << 30)
        XCTAssertEqual(try SizeText.validate(bytes: 1_048_576), 1 << 20)
        XCTAssertEqual(try SizeText.validate(bytes: 2_000_000.7), 2_000_000)
    }

    func testRejectsGarbageWithQuotedMessage() {
        for bad in ["", "MiB", "5x", "-5MiB", "1..5MiB", "1e9", "5 Mi B", "nan", "inf", "0x100000"] {
            XCTAssertThrowsError(try SizeText.parse(bad), bad) { error in
                XCTAssertEqual("\(error)", "invalid size \"\(bad)\" (use e.g. \"512MiB\", \"1GiB\", \"64MB\")")
            }
        }
    }

    func testRangeIsOneMiBToSixtyFourGiB() {
        XCTAssertThrowsError(try SizeText.parse("1KiB")) { XCTAssertEqual("\($0)", #"invalid size "1KiB" (at least 1 MiB)"#) }
        XCTAssertThrowsError(try SizeText.parse("65GiB")) { XCTAssertEqual("\($0)", #"invalid size "65GiB" (at most 64 GiB)"#) }
        XCTAssertThrowsError(try SizeText.parse("99999999999999999999999TiB")) { XCTAssertEqual("\($0)", #"invalid size "99999999999999999999999TiB" (at most 64 GiB)"#) }
        XCTAssertThrowsError(try SizeText.validate(bytes: .nan)) { XCTAssertEqual("\($0)", "invalid size nan (must be a finite number of bytes)") }
        XCTAssertThrowsError(try SizeText.validate(bytes: 1e300)) { XCTAssertEqual("\($0)", "invalid size 1e+300 (at most 64 GiB)") }
        XCTAssertThrowsError(try SizeText.validate(bytes: -1)) { XCTAssertEqual("\($0)", "invalid size -1 (at least 1 MiB)") }
    }

    func testDescribesSizes() {
        XCTAssertEqual(SizeText.describe(512 << 20), "512 MiB")
        XCTAssertEqual(SizeText.describe(3 << 29), "1.5 GiB")
        XCTAssertEqual(SizeText.describe(1000), "1000 bytes")
    }
}
