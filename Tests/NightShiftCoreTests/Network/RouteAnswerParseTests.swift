import Glibc
@testable import NightShiftCore
import XCTest

/// The rtnetlink answer parser never traps on what a socket hands it (found by the `arp`
/// fuzz target: an NLMSG_ERROR whose code is Int32.min trapped negating it).
final class RouteAnswerParseTests: XCTestCase {
    /// An NLMSG_ERROR message (nlmsghdr + the error code), host byte order as netlink sends it.
    private func errorMessage(code: Int32, sequence: UInt32) -> [UInt8] {
        func bytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        return bytes(UInt32(20)) + bytes(UInt16(2)) + bytes(UInt16(0)) + bytes(sequence) + bytes(UInt32(0)) + bytes(code)
    }

    func testAnErrorCodeNetlinkNeverSendsIsAnIOErrorNotATrap() {
        for code in [Int32.min, 1, Int32.max, -100_000] {
            XCTAssertEqual(RouteLookup.parse(errorMessage(code: code, sequence: 7), sequence: 7),
                           .failure(RouteFailure(errno: EIO)), "code \(code)")
        }
    }

    func testARealErrnoIsKept() {
        XCTAssertEqual(RouteLookup.parse(errorMessage(code: -ENETUNREACH, sequence: 9), sequence: 9),
                       .failure(RouteFailure(errno: ENETUNREACH)))
        XCTAssertNil(RouteLookup.parse(errorMessage(code: -ENETUNREACH, sequence: 9), sequence: 10), "another request's answer")
    }
}
