import XCTest
@testable import NightShiftCore

/// The trigger's memory of past nights: what a good, failed or interrupted night leaves.
final class NightMemoryTests: XCTestCase {
    func testAGoodAutomaticNightStartsMinIntervalClearsAttemptsAndUsesItsWindow() {
        var n = NightMemory()
        n.start(RunningNight(start: 100, windowKey: 90))
        n.finish(.failed, at: 200, maxAttempts: 3)
        XCTAssertEqual(n.failedAttempts, 1)
        XCTAssertEqual(n.firstFailed, 100)
        XCTAssertNil(n.windowUsed, "a failed night must not use the window up")
        n.start(RunningNight(start: 300, windowKey: 90))
        n.finish(.warning, at: 400, maxAttempts: 3)
        XCTAssertEqual(n.failedAttempts, 0)
        XCTAssertNil(n.firstFailed)
        XCTAssertEqual(n.windowUsed, 90)
        XCTAssertEqual(n.lastGoodAutomatic, 400)
        XCTAssertNil(n.running)
    }

    func testTheAttemptsUseTheWindowUpOnceTheyAreUsedUp() {
        var n = NightMemory()
        for i in 0..<3 {
            n.start(RunningNight(start: Double(100 + i * 10), windowKey: 50))
            n.finish(i == 1 ? .interrupted : .failed, at: Double(105 + i * 10), maxAttempts: 3)
            XCTAssertEqual(n.windowUsed, i == 2 ? 50 : nil)
        }
        XCTAssertEqual(n.failedAttempts, 3)
        XCTAssertEqual(n.firstFailed, 100)
    }

    func testManualNightsNeitherCountNorStartMinInterval() {
        var n = NightMemory()
        n.start(RunningNight(start: 10, windowKey: 5, manual: true))
        n.finish(.failed, at: 20, maxAttempts: 3)
        XCTAssertEqual(n.failedAttempts, 0)
        n.failedAttempts = 2
        n.start(RunningNight(start: 30, windowKey: 5, manual: true))
        n.finish(.ok, at: 40, maxAttempts: 3)
        XCTAssertEqual(n.failedAttempts, 0, "a good manual night ends the series")
        XCTAssertNil(n.lastGoodAutomatic)
        XCTAssertNil(n.windowUsed)
    }

    func testTheRecordSurvivesJSONAndOldFilesLoad() throws {
        var state = NightShiftState()
        state.night.start(RunningNight(start: 1, windowKey: 2, manual: false))
        let data = try StateStore.encode(state)
        let back = try JSONDecoder().decode(NightShiftState.self, from: data)
        XCTAssertEqual(back.night, state.night)
        let old = try JSONDecoder().decode(NightShiftState.self, from: Data(#"{"version":1,"hosts":{},"jobs":{}}"#.utf8))
        XCTAssertEqual(old.night, NightMemory())
    }
}
