import XCTest
@testable import NightShiftCore

final class AddressTextTests: XCTestCase {
    func testAcceptsAddressesAndHostNames() throws {
        XCTAssertEqual(try AddressText.validateIP("127.0.0.1"), "127.0.0.1")
        XCTAssertEqual(try AddressText.validateIP("::1"), "::1")
        XCTAssertEqual(try AddressText.validateAddress("backup.example.org"), "backup.example.org")
        XCTAssertThrowsError(try AddressText.validateAddress("1.2.3.999"))
    }

    func testEmbeddedNULIsNeverAnAddress() {
        // inet_pton sees a C string: everything after the NUL would be ignored.
        XCTAssertThrowsError(try AddressText.validateIP("127.0.0.1\0; rm -rf /"))
        XCTAssertThrowsError(try AddressText.validateAddress("127.0.0.1\0x"))
        XCTAssertThrowsError(try AddressText.validateAddress("host\0name"))
        XCTAssertFalse(AddressText.isIPv4("10.0.0.1\0"))
        XCTAssertFalse(AddressText.isNumericIP("::1\0"))
    }

    func testMACParsingRejectsNonASCIIHexDigits() {
        XCTAssertEqual(try MACAddress(parsing: "AA-BB-CC-DD-EE-FF").description, "aa:bb:cc:dd:ee:ff")
        // Fullwidth digits count as hex digits to Character.isHexDigit.
        XCTAssertThrowsError(try MACAddress(parsing: "１１:22:33:44:55:66"))
        XCTAssertThrowsError(try MACAddress(parsing: "aa:bb:cc:dd:ee:ff:"))
        XCTAssertThrowsError(try MACAddress(parsing: "aa:bb-cc:dd:ee:ff"))
    }
}
