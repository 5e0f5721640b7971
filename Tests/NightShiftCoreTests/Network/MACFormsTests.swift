@testable import NightShiftCore
import XCTest

/// The four ways people write a MAC address, and the error that teaches them.
final class MACFormsTests: XCTestCase {
    func testEveryCommonFormInAnyCaseIsAccepted() throws {
        let expected: [UInt8] = [0xAA, 0xBB, 0xCC, 0x0D, 0xEE, 0xF1]
        for text in ["aa:bb:cc:0d:ee:f1", "AA-BB-CC-0D-EE-F1", "aabb.cc0d.eef1", "AABB.CC0D.EEF1", "aabbcc0deef1", "AaBbCc0DeEf1"] {
            XCTAssertEqual(try MACAddress(parsing: text).bytes, expected, text)
        }
    }

    func testMalformedDottedFormsAreRefused() {
        for bad in ["aabb.ccdd.ee", "aabb.ccdd.eeff.0011", "aa.bbcc.ddeeff", "aabb.ccdd-eeff", "aabb..ccddeeff", "aabb.ccdd.eefg"] {
            XCTAssertThrowsError(try MACAddress(parsing: bad), bad)
        }
    }

    func testTheErrorShowsTheAcceptedForms() {
        XCTAssertThrowsError(try MACAddress(parsing: "zz")) { error in
            XCTAssertEqual("\(error)", "invalid MAC address \"zz\" (write it aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff)")
        }
    }
}
