import XCTest
@testable import NightShiftCore

final class TriggerPolicyTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!
    let six = ["Work1", "Work2", "Work3", "Work4", "Work5", "Backup1"]

    func at(_ d: Int, _ h: Int, _ m: Int = 0) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = utc
        return cal.date(from: DateComponents(year: 2025, month: 1, day: d, hour: h, minute: m))!
    }

    func sweep(_ time: Date, online: [String] = [], skip: [String] = []) -> SweepRecord {
        var up: [String: Bool] = [:]
        for host in six where !skip.contains(host) { up[host] = online.contains(host) }
        return SweepRecord(time: time.timeIntervalSince1970, up: up)
    }

    func input(_ now: Date, _ sweeps: [SweepRecord], n: Int = 1, window: String? = nil,
               lastRun: Date? = nil, manual: Bool = false) throws -> TriggerInput {
        TriggerInput(now: now, watchedHosts: six, recentSweeps: sweeps, offlineSweeps: n,
                     forceWindow: try window.map { try TimeWindow(parsing: $0) },
                     lastWindowRun: lastRun, manual: manual, timeZone: utc)
    }

    func testManualRunAlwaysRuns() throws {
        let now = at(10, 14)
        let d = TriggerPolicy.decide(try input(now, [sweep(now, online: ["Work1"])], manual: true))
        XCTAssertEqual(d, TriggerDecision(run: true, reason: "manual run", windowKey: nil))
    }

    func testSomeHostsOnlineNamesThem() throws {
        let now = at(10, 14)
        let d = TriggerPolicy.decide(try input(now, [sweep(now, online: ["Work1", "Work3"])]))
        XCTAssertFalse(d.run)
        XCTAssertEqual(d.reason, "2 of 6 watched hosts online: Work1, Work3")
        XCTAssertNil(d.windowKey)
    }

    func testAllOfflineOneSweep() throws {
        let now = at(10, 14)
        let d = TriggerPolicy.decide(try input(now, [sweep(now)]))
        XCTAssertEqual(d, TriggerDecision(run: true, reason: "all 6 watched hosts offline for 1 sweep"))
    }

    func testHysteresisNeedsConsecutiveOfflineSweeps() throws {
        let t1 = at(10, 12), t2 = at(10, 13), t3 = at(10, 14)
        // Only the last sweep is all-offline: not yet.
        var d = TriggerPolicy.decide(try input(t3, [sweep(t1), sweep(t2, online: ["Work2"]), sweep(t3)], n: 2))
        XCTAssertFalse(d.run)
        XCTAssertEqual(d.reason, "all 6 watched hosts offline for 1 of 2 sweeps")
        // Two in a row: go.
        d = TriggerPolicy.decide(try input(t3, [sweep(t1, online: ["Work2"]), sweep(t2), sweep(t3)], n: 2))
        XCTAssertTrue(d.run)
        XCTAssertEqual(d.reason, "all 6 watched hosts offline for 2 sweeps")
        // Not enough history yet.
        d = TriggerPolicy.decide(try input(t3, [sweep(t3)], n: 3))
        XCTAssertFalse(d.run)
        XCTAssertEqual(d.reason, "all 6 watched hosts offline for 1 of 3 sweeps")
        // An unprobed host breaks the streak and blocks the trigger.
        d = TriggerPolicy.decide(try input(t3, [sweep(t2, skip: ["Work4"]), sweep(t3)], n: 2))
        XCTAssertFalse(d.run)
        d = TriggerPolicy.decide(try input(t3, [sweep(t2), sweep(t3, skip: ["Work4"])], n: 2))
        XCTAssertFalse(d.run)
        XCTAssertEqual(d.reason, "1 of 6 watched hosts not probed: Work4")
    }

    func testNoSweepAndNoWatchedHosts() throws {
        let now = at(10, 14)
        XCTAssertEqual(TriggerPolicy.decide(try input(now, [])).reason, "no sweep yet")
        let nobody = TriggerInput(now: now, watchedHosts: [], recentSweeps: [], timeZone: utc)
        XCTAssertEqual(TriggerPolicy.decide(nobody), TriggerDecision(run: true, reason: "no watched hosts"))
        let one = TriggerInput(now: now, watchedHosts: ["Work1"],
                               recentSweeps: [SweepRecord(time: 0, up: ["Work1": false])], timeZone: utc)
        XCTAssertEqual(TriggerPolicy.decide(one).reason, "watched host Work1 offline for 1 sweep")
    }

    func testForceWindowRunsOncePerOccurrence() throws {
        let now = at(10, 3, 10)
        let busy = [sweep(now, online: ["Work1", "Work3"])]
        let first = TriggerPolicy.decide(try input(now, busy, window: "03:00-05:00"))
        XCTAssertTrue(first.run)
        XCTAssertEqual(first.reason, "inside force window 03:00-05:00 (not yet run in this window); 2 of 6 watched hosts online: Work1, Work3")
        XCTAssertEqual(first.windowKey, at(10, 3))

        // Persisting the key blocks a second run in the same occurrence...
        let later = at(10, 4, 10)
        let second = TriggerPolicy.decide(try input(later, busy, window: "03:00-05:00", lastRun: first.windowKey))
        XCTAssertFalse(second.run)
        XCTAssertEqual(second.reason, "2 of 6 watched hosts online: Work1, Work3; inside force window 03:00-05:00 but already ran at 03:00 in this window")
        // ...and so does persisting the real start time instead of the key.
        XCTAssertFalse(TriggerPolicy.decide(try input(later, busy, window: "03:00-05:00", lastRun: now)).run)

        // The next night is a new occurrence.
        let nextNight = at(11, 3, 5)
        let third = TriggerPolicy.decide(try input(nextNight, busy, window: "03:00-05:00", lastRun: first.windowKey))
        XCTAssertTrue(third.run)
        XCTAssertEqual(third.windowKey, at(11, 3))
    }

    func testForceWindowAcrossMidnight() throws {
        let evening = at(10, 23)
        let busy = { (t: Date) in [self.sweep(t, online: ["Work5"])] }
        let first = TriggerPolicy.decide(try input(evening, busy(evening), window: "22:00-02:00"))
        XCTAssertTrue(first.run)
        XCTAssertEqual(first.windowKey, at(10, 22))
        // After midnight it is still the same occurrence: no second run.
        let night = at(11, 1, 30)
        let second = TriggerPolicy.decide(try input(night, busy(night), window: "22:00-02:00", lastRun: first.windowKey))
        XCTAssertFalse(second.run)
        XCTAssertTrue(second.reason.contains("already ran at 22:00"), second.reason)
        // A run that started after midnight also counts for the occurrence that began yesterday.
        let third = TriggerPolicy.decide(try input(at(11, 1, 45), busy(night), window: "22:00-02:00", lastRun: at(11, 0, 15)))
        XCTAssertFalse(third.run)
        // Outside the window the reason says when it opens.
        let noon = at(11, 12)
        let fourth = TriggerPolicy.decide(try input(noon, busy(noon), window: "22:00-02:00", lastRun: first.windowKey))
        XCTAssertFalse(fourth.run)
        XCTAssertEqual(fourth.reason, "1 of 6 watched hosts online: Work5; force window 22:00-02:00 opens in 10h 00m")
    }

    func testOfflineRunInsideWindowSetsTheKey() throws {
        let now = at(10, 3, 30)
        let d = TriggerPolicy.decide(try input(now, [sweep(now)], window: "03:00-05:00"))
        XCTAssertTrue(d.run)
        XCTAssertEqual(d.reason, "all 6 watched hosts offline for 1 sweep")
        XCTAssertEqual(d.windowKey, at(10, 3))
        let manual = TriggerPolicy.decide(try input(now, [], window: "03:00-05:00", manual: true))
        XCTAssertEqual(manual.windowKey, at(10, 3))
    }
}
