import Foundation
import XCTest
@testable import NightShiftCore

/// Tonight's likely start, from recorded presence and the trigger's settings.
final class PresenceForecastTests: XCTestCase {
    let utc = ZoneRules.utc
    /// 2025-01-10 00:00:00 UTC, a Friday.
    let day0 = 1_736_467_200.0

    private func at(_ day: Int, _ hour: Double) -> Double { day0 + Double(day) * 86_400 + hour * 3_600 }

    /// A record of `days` days ending with day -1, swept every hour, up when `on(weekday, hour)`.
    private func presence(days: Int = 14, _ on: (Int, Int) -> Bool) -> HostPresence {
        var p = HostPresence()
        for day in -days..<0 {
            for hour in 0..<24 {
                let weekday = CivilDay.weekday(CivilDay.local(at(day, 0), timeZone: utc).day)
                p.record(up: on(weekday, hour), at: at(day, Double(hour) + 0.5), timeZone: utc)
            }
        }
        return p
    }

    func testAHostOnUntilElevenPutsTheStartAfterEleven() {
        let work3 = presence { _, hour in hour >= 8 && hour < 23 }
        let pc1 = presence { _, hour in hour >= 8 && hour < 18 }
        let f = PresenceForecast(watched: ["Work3", "pc1"], presence: ["Work3": work3, "pc1": pc1],
                                 rules: .init(), now: at(0, 12.25), timeZone: utc)
        XCTAssertEqual(f.hosts.map(\.text), ["Work3 is usually on until 23:00", "pc1 is usually on until 18:00"])
        XCTAssertEqual(f.likelyStart, at(0, 23))
        XCTAssertFalse(f.byWindow)
        XCTAssertEqual(f.summary, "Tonight: the backup likely starts after 23:00, once the watched hosts are usually off")
    }

    func testAHostOnAllNightLeavesItToTheForceWindow() throws {
        let server = presence { _, _ in true }
        let window = try TimeWindow(parsing: "03:00-05:00")
        let f = PresenceForecast(watched: ["Work3"], presence: ["Work3": server], rules: .init(window: window),
                                 now: at(0, 12.25), timeZone: utc)
        XCTAssertEqual(f.hosts.first?.text, "Work3 is usually on around the clock")
        XCTAssertEqual(f.likelyStart, at(1, 3))
        XCTAssertTrue(f.byWindow)
        XCTAssertEqual(f.summary,
                       "Tonight: the watched hosts are usually on all night, so the force window 03:00-05:00 starts the backup at 03:00 tomorrow")
        // A host that goes off after the window opened: the window comes first.
        let late = presence { _, hour in hour >= 8 || hour < 4 }
        let g = PresenceForecast(watched: ["Work3"], presence: ["Work3": late], rules: .init(window: window),
                                 now: at(0, 12.25), timeZone: utc)
        XCTAssertEqual(g.hosts.first?.text, "Work3 is usually on until 04:00 tomorrow")
        XCTAssertEqual(g.likelyStart, at(1, 3))
        XCTAssertTrue(g.byWindow)
        XCTAssertTrue(g.summary.contains("usually on until 04:00 tomorrow, so the force window 03:00-05:00 starts the backup at 03:00 tomorrow"),
                      g.summary)
        // Inside the window, not yet used: the next check.
        let inside = PresenceForecast(watched: ["Work3"], presence: ["Work3": server], rules: .init(window: window),
                                      now: at(0, 3.5), timeZone: utc)
        XCTAssertEqual(inside.likelyStart, at(0, 3.5))
        XCTAssertTrue(inside.summary.contains("inside the force window 03:00-05:00 and not yet backed up in it"), inside.summary)
        // Already used tonight: tomorrow's opening.
        let used = PresenceForecast(watched: ["Work3"], presence: ["Work3": server],
                                    rules: .init(window: window, windowUsed: at(0, 3)), now: at(0, 3.5), timeZone: utc)
        XCTAssertEqual(used.likelyStart, at(1, 3))
    }

    func testMinIntervalAndOfflineSweepsPushTheStart() {
        let work3 = presence { _, hour in hour >= 8 && hour < 23 }
        let streak = PresenceForecast(watched: ["Work3"], presence: ["Work3": work3],
                                      rules: .init(offlineSweeps: 2, checkEvery: 3_600), now: at(0, 12.25), timeZone: utc)
        XCTAssertEqual(streak.likelyStart, at(1, 0))
        XCTAssertTrue(streak.summary.contains("after 00:00 tomorrow") && streak.summary.contains("2 sweeps in a row"), streak.summary)
        // The last good night ended at 02:00: with min_interval 12h nothing before 14:00, and at
        // 14:00 Work3 is on, so still 23:00.
        let waited = PresenceForecast(watched: ["Work3"], presence: ["Work3": work3],
                                      rules: .init(notBefore: at(0, 14)), now: at(0, 6), timeZone: utc)
        XCTAssertEqual(waited.likelyStart, at(0, 23))
        XCTAssertTrue(waited.summary.hasSuffix("; min_interval: not before 14:00"), waited.summary)
        // Without min_interval, at 06:00 Work3 is usually off already.
        let early = PresenceForecast(watched: ["Work3"], presence: ["Work3": work3], rules: .init(), now: at(0, 6), timeZone: utc)
        XCTAssertEqual(early.likelyStart, at(0, 6))
        XCTAssertEqual(early.hosts.first?.text, "Work3 is usually off at 06:00 (usually up 08:00-23:00)")
        XCTAssertEqual(early.summary, "Tonight: the watched hosts are usually off at this hour: the next check likely starts the backup")
    }

    func testWorkingDaysAndWeekendsAreToldApart() {
        // On working days until 23:00, off at weekends.
        let work3 = presence(days: 21) { weekday, hour in (1...5).contains(weekday) && hour >= 8 && hour < 23 }
        // Friday noon: a working day.
        let friday = PresenceForecast(watched: ["Work3"], presence: ["Work3": work3], rules: .init(), now: at(0, 12), timeZone: utc)
        XCTAssertEqual(friday.likelyStart, at(0, 23))
        // Saturday noon: usually off.
        let saturday = PresenceForecast(watched: ["Work3"], presence: ["Work3": work3], rules: .init(), now: at(1, 12), timeZone: utc)
        XCTAssertEqual(saturday.hosts.first?.text, "Work3 is usually off at 12:00 (usually up 08:00-23:00)")
        XCTAssertEqual(saturday.likelyStart, at(1, 12))
    }

    func testNoDataAndFewDaysAreSaid() throws {
        let window = try TimeWindow(parsing: "03:00-05:00")
        let none = PresenceForecast(watched: ["pc1"], presence: [:], rules: .init(window: window), now: at(0, 12), timeZone: utc)
        XCTAssertEqual(none.hosts.first?.text, "pc1: no presence recorded yet (each sweep records it)")
        XCTAssertEqual(none.likelyStart, at(1, 3))
        XCTAssertTrue(none.summary.hasPrefix("Tonight: no presence recorded yet"), none.summary)
        XCTAssertTrue(none.summary.contains("at the latest when the force window 03:00-05:00 opens at 03:00 tomorrow"), none.summary)

        var one = HostPresence()
        one.record(up: true, at: at(-1, 20.5), timeZone: utc)
        one.record(up: false, at: at(-1, 21.5), timeZone: utc)
        let f = PresenceForecast(watched: ["pc1"], presence: ["pc1": one], rules: .init(), now: at(0, 20), timeZone: utc)
        XCTAssertEqual(f.hosts.first?.text, "pc1 is usually on until 21:00 (1 day of data)")
        XCTAssertEqual(f.likelyStart, at(0, 21))

        // Hours after the last sweep are unknown, said as such.
        let g = PresenceForecast(watched: ["pc1"], presence: ["pc1": { var p = HostPresence(); p.record(up: true, at: at(-1, 20.5), timeZone: utc); return p }()],
                                 rules: .init(), now: at(0, 20), timeZone: utc)
        XCTAssertEqual(g.hosts.first?.text, "pc1 is usually on until 21:00 at least (no sweep at that hour yet) (1 day of data)")

        let nobody = PresenceForecast(watched: [], presence: [:], rules: .init(), now: at(0, 20), timeZone: utc)
        XCTAssertEqual(nobody.lines, ["Tonight: no watched hosts, so the backup starts at the next check"])
        XCTAssertEqual(nobody.likelyStart, at(0, 20))
    }

    func testAbsurdTimesNeverTrap() {
        let p = presence { _, hour in hour < 12 }
        for t in [1e300, -1e300, .nan, .infinity] as [Double] {
            let f = PresenceForecast(watched: ["A"], presence: ["A": p], rules: .init(notBefore: t), now: t, timeZone: utc)
            XCTAssertFalse(f.summary.isEmpty)
        }
    }

    func testOnAllDayWithoutAWindowIsNoLikelyBackup() {
        let server = presence { _, _ in true }
        let f = PresenceForecast(watched: ["srv"], presence: ["srv": server], rules: .init(), now: at(0, 12), timeZone: utc)
        XCTAssertNil(f.likelyStart)
        XCTAssertEqual(f.summary, "Tonight: the watched hosts are usually on all day and there is no force window: no backup is likely")
    }

    func testStatusShowsTheStripsAndTheUsualHours() throws {
        var state = NightShiftState()
        for day in -3..<0 {
            for hour in stride(from: 0.5, to: 24, by: 1) {
                state.recordSweep(SweepRecord(time: at(day, hour), up: ["Work3": hour >= 8 && hour < 23 || hour < 1,
                                                                         "pc1": day == -1 && hour > 20]), timeZone: utc)
            }
        }
        let lines = PresenceReport.lines(state.hosts, names: ["Work3", "pc1", "absent"], now: at(0, 12), timeZone: utc)
        XCTAssertEqual(lines, [
            "Presence over the last 28 days (local hours; # usually up, + sometimes, . never, blank: not swept):",
            "HOST    0     6     12    18       DAYS  USUALLY UP",
            "Work3  [#.......###############.]  3     08:00-23:00, 00:00-01:00",
            "pc1    [....................++++]  3     never",
        ])
        let text = StatusReport.render(LoadedState(state: state, condition: .known), now: Date(timeIntervalSince1970: at(0, 12)),
                                       timeZone: utc)
        XCTAssertTrue(text.contains(lines.joined(separator: "\n")), text)
        XCTAssertFalse(text.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no trailing spaces")
        var all = HostPresence()
        for hour in 0..<24 { all.record(up: true, at: at(0, Double(hour)), timeZone: utc) }
        XCTAssertEqual(PresenceReport.usualHours(all), "all day")
        var night = HostPresence()
        for hour in 0..<24 { night.record(up: hour >= 22 || hour < 6, at: at(0, Double(hour)), timeZone: utc) }
        XCTAssertEqual(PresenceReport.usualHours(night), "22:00-06:00")

        // status --json carries the counts per hour and the forecast.
        let forecast = PresenceForecast(watched: ["Work3"], presence: state.hosts.compactMapValues(\.presence), rules: .init(),
                                        now: at(0, 12), timeZone: utc)
        let json = try StatusJSON.render(LoadedState(state: state, condition: .known), now: at(0, 12), forecast: forecast)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let hosts = try XCTUnwrap(doc["hosts"] as? [String: [String: Any]])
        let p = try XCTUnwrap(hosts["Work3"]?["presence"] as? [String: Any])
        XCTAssertEqual(p["days"] as? Int, 3)
        XCTAssertEqual(p["strip"] as? String, "#.......###############.")
        XCTAssertEqual(p["usually_up"] as? String, "08:00-23:00, 00:00-01:00")
        XCTAssertEqual((p["up_days"] as? [Int])?.count, 24)
        XCTAssertEqual((p["up_days"] as? [Int])?[9], 3)
        XCTAssertEqual((p["swept_days"] as? [Int])?[3], 3)
        let f = try XCTUnwrap(doc["forecast"] as? [String: Any])
        XCTAssertEqual(f["likely_start"] as? Double, at(0, 23))
        XCTAssertEqual(f["by_window"] as? Bool, false)
        XCTAssertEqual((f["hosts"] as? [String: [String: Any]])?["Work3"]?["text"] as? String, "Work3 is usually on until 23:00")
        let noForecast = try StatusJSON.render(LoadedState(state: state, condition: .known), now: at(0, 12))
        XCTAssertFalse(noForecast.contains("\"forecast\""))
    }
}
