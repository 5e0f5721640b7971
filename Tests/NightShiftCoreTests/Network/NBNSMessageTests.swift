@testable import NightShiftBase
import XCTest

/// The NetBIOS node status request and its decoder, against a reply recorded from Samba's nmbd
/// (netbios name WINPC, workgroup OFFICE) to exactly the request we send.
final class NBNSMessageTests: XCTestCase {
    static let sambaReply: [UInt8] = hex(
        "12348400000000010000000020434b414141414141414141414141414141414141414141414141414141414141000021"
        + "00010000000000890557494e50432020202020202020202000040057494e50432020202020202020202003040057494e"
        + "5043202020202020202020202004004f46464943452020202020202020200084004f46464943452020202020202020201e"
        + "840000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")

    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    func testRequestIsTheRFC1002NodeStatusQueryForTheWildcardName() {
        let request = NBNSMessage.nodeStatusRequest(transactionID: 0x1234)
        XCTAssertEqual(request.count, NBNSMessage.requestLength)
        XCTAssertEqual(Array(request[0..<12]), [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], "a query, one question, no broadcast flag")
        XCTAssertEqual(String(decoding: request[13..<45], as: UTF8.self), "CK" + String(repeating: "AA", count: 15),
                       "'*' padded with NULs, first-level encoded")
        XCTAssertEqual(Array(request[45...]), [0, 0, 0x21, 0, 1], "root label, NBSTAT, IN")
    }

    func testSambaReplyDecodes() throws {
        let status = try XCTUnwrap(NBNSMessage.nodeStatus(Self.sambaReply, transactionID: 0x1234))
        XCTAssertEqual(status.machineName, "WINPC")
        XCTAssertEqual(status.names.count, 5)
        XCTAssertEqual(status.names[3], NBNSMessage.Name(name: "OFFICE", suffix: 0, group: true))
        XCTAssertEqual(status.unitID, [0, 0, 0, 0, 0, 0], "Samba reports a zero unit ID")
    }

    func testOtherTransactionsRequestsErrorsAndTruncationsAreRefused() {
        XCTAssertNil(NBNSMessage.nodeStatus(Self.sambaReply, transactionID: 0x1235), "another transaction")
        XCTAssertNil(NBNSMessage.nodeStatus(NBNSMessage.nodeStatusRequest(transactionID: 7), transactionID: 7), "our own request")
        var error = Self.sambaReply
        error[3] |= 0x03
        XCTAssertNil(NBNSMessage.nodeStatus(error, transactionID: 0x1234), "RCODE set")
        for length in 0..<Self.sambaReply.count {
            // The record's length is announced: any cut of it is refused.
            XCTAssertNil(NBNSMessage.nodeStatus(Array(Self.sambaReply[0..<length]), transactionID: 0x1234), "cut at \(length)")
        }
        var lying = Self.sambaReply
        lying[56] = 200
        XCTAssertNil(NBNSMessage.nodeStatus(lying, transactionID: 0x1234), "more names than the record holds")
    }
}
