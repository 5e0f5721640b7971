import XCTest
@testable import NightShiftCore

/// One grace period for every group kill (a timeout, a signal, the job's leftovers).
final class ProcessTeardownTests: XCTestCase {
    func testTimeoutsAndSignalsShareOneGracePeriod() {
        XCTAssertEqual(ExecRequest(.argv(["true"])).killGrace, ProcessTeardown.grace)
        XCTAssertEqual(ProcessTeardown.grace, 5)
    }
}
