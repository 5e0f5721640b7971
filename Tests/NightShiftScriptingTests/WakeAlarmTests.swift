import Foundation
import NightShiftCore
import NightShiftScripting
import XCTest

/// settings.self_wake: before this machine sleeps, the RTC (a plain file here) or the self
/// host's wake_at action gets the next window's opening minus self_wake_early.
final class WakeAlarmTests: XCTestCase {
    /// The local wall-clock hour and minute of `epoch`.
    private func hourMinute(_ epoch: Int) -> (Int, Int) {
        let c = Calendar.current.dateComponents([.hour, .minute, .second], from: Date(timeIntervalSince1970: Double(epoch)))
        return (c.hour!, c.minute!)
    }

    func testTheRTCGetsTheNextWindowOpeningMinusTheMargin() throws {
        let b = try BusyFixture()
        let now = Date().timeIntervalSince1970
        try b.cycle(b.script("force_window = \"03:00-05:00\", self_wake_early = \"10m\""))
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
        let epoch = try XCTUnwrap(Int(b.alarm), "RTC file: \(b.alarm)")
        XCTAssertGreaterThan(Double(epoch), now)
        XCTAssertLessThanOrEqual(Double(epoch), now + 86400 + 3600)
        let (h, m) = hourMinute(epoch + 600)
        XCTAssertEqual(h, 3); XCTAssertEqual(m, 0)
        XCTAssertTrue(b.f.logText.contains("Wake alarm set for"), b.f.logText)

        let loaded = try StateStore(directory: b.dir + "/state").load()
        XCTAssertEqual(loaded.state.selfWake, Double(epoch))
        XCTAssertTrue(StatusReport.render(loaded).contains("Next wake-up: "), StatusReport.render(loaded))
    }

    func testTheDefaultMarginIsFiveMinutes() throws {
        let b = try BusyFixture()
        try b.cycle(b.script("force_window = \"03:00-05:00\""))
        let epoch = try XCTUnwrap(Int(b.alarm), "RTC file: \(b.alarm)")
        let (h, m) = hourMinute(epoch + 300)
        XCTAssertEqual(h, 3); XCTAssertEqual(m, 0)
    }

    func testDryRunOnlyPrintsTheAlarm() throws {
        let b = try BusyFixture()
        var o = ScriptOptions()
        o.dryRun = true
        try b.cycle(b.script("force_window = \"03:00-05:00\""), options: o)
        XCTAssertEqual(b.alarm, "")
        XCTAssertTrue(b.f.logText.contains("DRY-RUN would set the wake alarm: write 0, then "), b.f.logText)
    }

    func testTheWakeAtActionGetsTheEpochInsteadOfTheRTC() throws {
        let b = try BusyFixture()
        let now = Date().timeIntervalSince1970
        try b.cycle(b.script("self_wake = \"2h\"",
                             nas: "wake_at = {\"/bin/sh\", \"-c\", \"echo \\\"$1\\\" >> \(b.dir)/wake_at\", \"sh\", \"{epoch}\"}"))
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
        XCTAssertEqual(b.alarm, "", "the RTC is left alone when wake_at is given")
        let text = try String(contentsOfFile: b.dir + "/wake_at", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let epoch = try XCTUnwrap(Double(text), text)
        XCTAssertEqual(epoch, now + 7200, accuracy: 120)
    }

    func testAnAlarmThatCannotBeSetIsAWarningAndTheMachineStillSleeps() throws {
        let b = try BusyFixture()
        let script = b.script("force_window = \"03:00-05:00\"").replacingOccurrences(of: b.rtc, with: b.dir + "/no/such/rtc")
        try b.cycle(script)
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("Cannot set the wake alarm for"), b.f.logText)
        XCTAssertTrue(b.f.logText.contains("(sleeping anyway)"), b.f.logText)
    }

    func testAnAlarmInThePastIsNeverSet() throws {
        let b = try BusyFixture()
        try b.cycle(b.script("self_wake = function() return nightshift.now() - 60 end"))
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
        XCTAssertEqual(b.alarm, "")
        XCTAssertTrue(b.f.logText.contains("is in the past"), b.f.logText)
    }

    func testNoWindowMeansNoAlarmByDefault() throws {
        let b = try BusyFixture()
        try b.cycle(b.script())
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
        XCTAssertEqual(b.alarm, "")
    }

    func testTheRTCRefusesThePastAndTooFarAhead() {
        if case .success = RTCAlarm.validate(epoch: 1000, now: 2000) { XCTFail("past accepted") }
        if case .success = RTCAlarm.validate(epoch: 2000 + RTCAlarm.maxAhead + 60, now: 2000) { XCTFail("too far accepted") }
        XCTAssertEqual(try RTCAlarm.validate(epoch: 2500.2, now: 2000).get(), 2501)
    }
}
