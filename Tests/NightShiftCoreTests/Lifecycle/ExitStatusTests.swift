import Glibc
import NightShiftCore
import XCTest

/// The exit statuses admins and monitoring read: 0 ok, 1 failed, 2 usage/script/config,
/// 130/143 stopped by SIGINT/SIGTERM.
final class ExitStatusTests: XCTestCase {
    func testTheContractsNumbers() {
        XCTAssertEqual(ExitStatus.allCases.map(\.code), [0, 1, 2, 130, 143])
        XCTAssertEqual(ExitStatus.code(stoppedBy: SIGINT), ExitStatus.interrupted.code)
        XCTAssertEqual(ExitStatus.code(stoppedBy: SIGTERM), ExitStatus.terminated.code)
        XCTAssertEqual(ExitStatus.code(stoppedBy: SIGHUP), 129)
    }
}
