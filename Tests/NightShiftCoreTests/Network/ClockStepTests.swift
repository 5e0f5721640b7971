import Foundation
@testable import NightShiftCore
import XCTest

/// ns.time.step: the real stepper refuses clearly without CAP_SYS_TIME. No test here ever
/// steps the real clock: the refusal runs in a child without the capability, the rest is injected.
final class ClockStepTests: XCTestCase {
    /// A stepper that records instead of stepping, as the scripting layer's tests inject.
    final class RecordingStepper: ClockStepper, @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [Double] = []
        var steps: [Double] { lock.withLock { recorded } }
        func step(by seconds: Double) throws { lock.withLock { recorded.append(seconds) } }
    }

    func testInjectedStepperGetsTheMeasuredOffset() throws {
        try TestNetwork.requirePrivateNamespace()
        let server = try TestSNTPServer(behaviour: .skewed(-0.3))
        defer { server.stop() }
        let stepper: any ClockStepper = RecordingStepper()
        let sample = try SNTPClient.query(server: "127.0.0.1", port: server.port, timeout: 2)
        try stepper.step(by: sample.offset)
        let recorded = try XCTUnwrap((stepper as? RecordingStepper)?.steps.first)
        XCTAssertEqual(recorded, -0.3, accuracy: sample.delay / 2 + 1e-6)
    }

    func testNonsenseOffsetsAreRefusedBeforeAnySystemCall() {
        for offset in [Double.nan, .infinity, -.infinity, 1e12] {
            XCTAssertThrowsError(try SystemClockStepper().step(by: offset)) { error in
                guard case .invalidOffset? = error as? ClockError else { return XCTFail("\(error)") }
            }
        }
    }

    func testCapabilityIsReadFromProc() {
        XCTAssertNotNil(SystemClockStepper.hasClockCapability())
    }

    /// In a child whose capability sets lack CAP_SYS_TIME, `nightshift time --step` must refuse.
    func testStepRefusesWithoutCapSysTime() throws {
        try TestNetwork.requirePrivateNamespace()
        guard TestNetwork.findTool("setpriv") != nil else { throw XCTSkip("setpriv (util-linux) is not installed") }
        let drop = ["setpriv", "--inh-caps=-sys_time", "--ambient-caps=-sys_time", "--bounding-set=-sys_time", "--"]
        // Guard first: if the capability were somehow still there, the child would step the real clock.
        let status = try TestCommand.run(drop + ["cat", "/proc/self/status"])
        let capEff = status.output.split(separator: "\n").first { $0.hasPrefix("CapEff:") }
            .flatMap { UInt64($0.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) }
        let mask = try XCTUnwrap(capEff, "cannot read the child's capabilities: \(status.output)")
        guard mask & (1 << 25) == 0 else {
            return XCTFail("setpriv did not drop CAP_SYS_TIME (CapEff \(String(mask, radix: 16))); not running the step")
        }
        // A server with no skew: even a broken refusal could move the clock by microseconds only.
        let server = try TestSNTPServer(behaviour: .skewed(0))
        defer { server.stop() }
        let result = try NetworkToolRunner.run(["time", "--step", "--port", String(server.port), "127.0.0.1"], wrapper: drop)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("lacks CAP_SYS_TIME"), result.output)
        XCTAssertTrue(result.output.contains("offset"), result.output)
        XCTAssertFalse(result.output.contains("stepped the clock"), result.output)
    }
}
