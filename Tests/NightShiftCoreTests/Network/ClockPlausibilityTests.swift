import Foundation
@testable import NightShiftCore
import XCTest

/// Invariant 13: answers before this build's date are refused, a plausible clock is never
/// stepped by more than max_clock_step from one reference, and a dead RTC is still set.
final class ClockPlausibilityTests: XCTestCase {
    private let day = 86_400.0
    /// A plausible "now" well after the build date, whatever day the tests run on.
    private let now = ClockPlausibility.buildDate + 100 * 86_400

    func testTheBuildDateIsNotInTheFuture() {
        XCTAssertLessThanOrEqual(ClockPlausibility.buildDate, Date().timeIntervalSince1970, "the build date constant lies in the future")
        XCTAssertGreaterThan(ClockPlausibility.buildDate, 1_700_000_000)
    }

    func testAPlausibleClockIsSteppedByAtMostMaxClockStep() {
        XCTAssertNil(ClockPlausibility.stepRefusal(clockTime: now, reference: now + 3_600, maxStep: day))
        XCTAssertNil(ClockPlausibility.stepRefusal(clockTime: now, reference: now - day, maxStep: day))
        let ahead = ClockPlausibility.stepRefusal(clockTime: now, reference: now + 50 * 365.25 * day, maxStep: day)
        XCTAssertTrue(ahead?.contains("exceeds max_clock_step") == true, ahead ?? "nil")
        let back = ClockPlausibility.stepRefusal(clockTime: now, reference: now - 2 * day, maxStep: day)
        XCTAssertTrue(back?.contains("a plausible time") == true, back ?? "nil")
    }

    func testADeadRTCIsSetToAGoodReferenceWhateverTheStep() {
        let y2000 = 946_684_800.0
        XCTAssertNil(ClockPlausibility.stepRefusal(clockTime: y2000, reference: now, maxStep: day))
        XCTAssertNil(ClockPlausibility.stepRefusal(clockTime: nil, reference: now, maxStep: day), "an unreadable clock is set")
    }

    func testAReferenceBeforeTheBuildDateIsNeverUsed() {
        for reference in [-2_208_988_800.0, 946_684_800, ClockPlausibility.buildDate - 1, .nan] {
            let refusal = ClockPlausibility.stepRefusal(clockTime: 946_684_800, reference: reference, maxStep: day)
            XCTAssertNotNil(refusal, "reference \(reference) was accepted")
        }
    }

    // SNTP stand-ins on loopback (inside the private namespace of scripts/test-network).

    private func query(_ behaviour: TestSNTPServer.Behaviour) throws -> Result<SNTPSample, any Error> {
        try TestNetwork.requirePrivateNamespace()
        let server = try TestSNTPServer(behaviour: behaviour)
        defer { server.stop() }
        return Result { try SNTPClient.query(server: "127.0.0.1", port: server.port, timeout: 2) }
    }

    func testAnAnswerOf1900IsRefusedNotReadAs2036() throws {
        let r = try query(.rawSeconds(0))
        guard case .failure(let error) = r else { return XCTFail("a 1900 answer was accepted: \(r)") }
        guard case .implausible = error as? SNTPError else { return XCTFail("\(error)") }
        XCTAssertTrue("\(error)".contains("1900-01-01"), "\(error)")
        XCTAssertTrue("\(error)".contains("2036"), "\(error)")
    }

    func testAnAnswerFromADeadRTCIsRefused() throws {
        let r = try query(.reads(946_684_800))
        guard case .failure(let error) = r, case .implausible = error as? SNTPError else { return XCTFail("\(r)") }
        XCTAssertTrue("\(error)".contains("2000-01-01"), "\(error)")
    }

    func testAnAnswerFiftyYearsAheadIsRefusedAsOnlyTheEraWrapMakesItLater() throws {
        // 2076 and 1940 are the same bits on the wire; before 2036 only era 0 is real.
        let r = try query(.reads(Date().timeIntervalSince1970 + 50 * 365.25 * day))
        guard case .failure(let error) = r, case .implausible = error as? SNTPError else { return XCTFail("\(r)") }
        XCTAssertTrue("\(error)".contains("2036 era wrap"), "\(error)")
    }

    func testAnAnswerFiveYearsAheadIsReadButNeverStepsAPlausibleClock() throws {
        let real = Date().timeIntervalSince1970
        let sample = try query(.reads(real + 5 * 365.25 * day)).get()
        XCTAssertGreaterThan(sample.offset, 4.9 * 365.25 * day)
        let refusal = ClockPlausibility.stepRefusal(clockTime: real, reference: real + sample.offset, maxStep: day)
        XCTAssertTrue(refusal?.contains("exceeds max_clock_step") == true, refusal ?? "nil")
    }
}
