import Glibc
import NightShiftCore
import XCTest

/// The one EINTR retry: an interrupted call is made again, any other result or error is the
/// caller's, with its errno.
final class SyscallTests: XCTestCase {
    func testAnInterruptedCallIsMadeAgainUntilItAnswers() {
        var calls = 0
        let result = Syscall.retryingInterrupts { () -> Int in
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 42
        }
        XCTAssertEqual(result, 42)
        XCTAssertEqual(calls, 3)
    }

    func testAnotherErrorIsReturnedWithItsErrno() {
        var calls = 0
        let result = Syscall.retryingInterrupts { () -> Int32 in
            calls += 1
            errno = EBADF
            return -1
        }
        XCTAssertEqual(result, -1)
        XCTAssertEqual(errno, EBADF)
        XCTAssertEqual(calls, 1)
    }

    func testARealReadOfAClosedDescriptorFailsOnce() {
        var byte: UInt8 = 0
        let n = Syscall.retryingInterrupts { read(-1, &byte, 1) }
        XCTAssertEqual(n, -1)
        XCTAssertEqual(errno, EBADF)
    }
}
