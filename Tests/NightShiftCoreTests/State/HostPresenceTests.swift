import Foundation
import XCTest
@testable import NightShiftCore

/// The presence record: local hours per day, bounded, and robust against clocks and hand edits.
final class HostPresenceTests: XCTestCase {
    let utc = ZoneRules.utc
    let berlin = try! ZoneRules.named("Europe/Berlin")
    /// 2025-01-10 00:00:00 UTC, a Friday.
    let day0 = 1_736_467_200.0

    private func at(_ day: Int, _ hour: Double) -> Double { day0 + Double(day) * 86_400 + hour * 3_600 }

    func testCivilDaysRoundTripAndRefuseNonDates() {
        XCTAssertEqual(CivilDay.text(0), "1970-01-01")
        XCTAssertEqual(CivilDay.number("2025-01-10"), 20_098)
        XCTAssertEqual(CivilDay.text(20_098), "2025-01-10")
        XCTAssertEqual(CivilDay.weekday(20_098), 5, "2025-01-10 is a Friday")
        XCTAssertEqual(CivilDay.number("2024-02-29"), CivilDay.number("2024-02-28").map { $0 + 1 })
        for bad in ["2025-02-30", "2025-13-01", "2025-1-01", "20250110", "", "abcd-ef-gh", "2025-01-10x"] {
            XCTAssertNil(CivilDay.number(bad), bad)
        }
        for n in stride(from: -300_000, through: 2_900_000, by: 997) { // years 1148-9909
            XCTAssertEqual(CivilDay.number(CivilDay.text(n)), n)
        }
    }

    func testEachSweepMarksItsLocalHourAndUpWinsWithinTheHour() throws {
        var p = HostPresence()
        XCTAssertTrue(p.record(up: false, at: at(0, 9.2), timeZone: utc))
        XCTAssertTrue(p.record(up: true, at: at(0, 9.7), timeZone: utc))
        p.record(up: false, at: at(0, 9.9), timeZone: utc)
        p.record(up: false, at: at(0, 22.5), timeZone: utc)
        let day = try XCTUnwrap(p.entries.first)
        XCTAssertEqual(p.entries.count, 1)
        XCTAssertEqual(day.day, "2025-01-10")
        XCTAssertEqual(day.hours, "---------#------------.-")
        XCTAssertEqual(p.strip, "         #            . ")
    }

    func testHourAndDayBoundaries() throws {
        var p = HostPresence()
        p.record(up: true, at: at(0, 11) - 0.001, timeZone: utc)      // 10:59:59.999
        p.record(up: false, at: at(0, 11), timeZone: utc)             // 11:00:00
        p.record(up: true, at: at(1, 0) - 0.5, timeZone: utc)         // 23:59:59.5
        p.record(up: false, at: at(1, 0), timeZone: utc)              // next day 00:00
        XCTAssertEqual(p.entries.map(\.day), ["2025-01-10", "2025-01-11"])
        XCTAssertEqual(p.entries[0].seen(at: 10), true)
        XCTAssertEqual(p.entries[0].seen(at: 11), false)
        XCTAssertEqual(p.entries[0].seen(at: 23), true)
        XCTAssertEqual(p.entries[1].seen(at: 0), false)
        XCTAssertEqual(p.entries[1].seen(at: 23), nil)
        // The local hour, not UTC's: 22:30 UTC is 23:30 in Berlin in winter.
        var b = HostPresence()
        b.record(up: true, at: at(0, 22.5), timeZone: berlin)
        b.record(up: true, at: at(0, 23.5), timeZone: berlin)
        XCTAssertEqual(b.entries.map(\.day), ["2025-01-10", "2025-01-11"])
        XCTAssertEqual(b.entries[0].seen(at: 23), true)
        XCTAssertEqual(b.entries[1].seen(at: 0), true)
    }

    func testDaylightSavingNightsKeepLocalHours() throws {
        // 2025-03-30, Berlin: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        let spring = 1_743_292_800.0 // 2025-03-30 00:00 UTC = 01:00 CET
        var p = HostPresence()
        for minutes in stride(from: 0.0, to: 180, by: 30) { p.record(up: true, at: spring + minutes * 60, timeZone: berlin) }
        let s = try XCTUnwrap(p.entries.first)
        XCTAssertEqual(p.entries.count, 1)
        XCTAssertEqual(s.day, "2025-03-30")
        XCTAssertEqual((0..<6).map { s.seen(at: $0) }, [nil, true, nil, true, true, nil], "02:00 does not exist that night")

        // 2025-10-26, Berlin: 03:00 CEST falls back to 02:00 CET (01:00 UTC): 02:xx twice, one hour.
        let autumn = 1_761_436_800.0 // 2025-10-26 00:00 UTC = 02:00 CEST
        var q = HostPresence()
        q.record(up: true, at: autumn + 30 * 60, timeZone: berlin)    // 02:30 CEST
        q.record(up: false, at: autumn + 90 * 60, timeZone: berlin)   // 02:30 CET
        q.record(up: false, at: autumn + 150 * 60, timeZone: berlin)  // 03:30 CET
        let a = try XCTUnwrap(q.entries.first)
        XCTAssertEqual(q.entries.count, 1)
        XCTAssertEqual(a.seen(at: 2), true, "both 02:30s land in one hour, up wins")
        XCTAssertEqual(a.seen(at: 3), false)
        XCTAssertEqual(a.seen(at: 1), nil)
    }

    func testOldDaysRollOffAndTheRecordStaysBounded() throws {
        var p = HostPresence()
        for day in 0..<60 {
            for hour in stride(from: 0.25, to: 24, by: 0.25) { p.record(up: hour >= 8 && hour < 18, at: at(day, hour), timeZone: utc) }
        }
        XCTAssertEqual(p.entries.count, HostPresence.days)
        XCTAssertEqual(p.entries.first?.day, CivilDay.text(20_098 + 60 - HostPresence.days))
        XCTAssertEqual(p.entries.last?.day, CivilDay.text(20_098 + 59))
        XCTAssertEqual(p.strip, "........##########......")
        let hourly = p.hourly()
        XCTAssertEqual(hourly[9], HourCount(up: 28, swept: 28))
        XCTAssertEqual(hourly[20], HourCount(up: 0, swept: 28))
        // The whole record of one host, as state.json holds it.
        let bytes = try JSONEncoder().encode(p).count
        XCTAssertLessThan(bytes, 28 * 60, "presence takes \(bytes) bytes")

        // Shown: only the last four weeks as of now; a NAS that was off for a month shows nothing stale.
        XCTAssertEqual(p.recent(asOf: at(60, 12), timeZone: utc).entries.count, 27)
        XCTAssertTrue(p.recent(asOf: at(120, 12), timeZone: utc).isEmpty)
        // A gap of days pushes the oldest out one by one, never more than 28 entries.
        p.record(up: true, at: at(100, 3), timeZone: utc)
        XCTAssertEqual(p.entries.count, HostPresence.days)
        XCTAssertEqual(p.entries.last?.day, CivilDay.text(20_098 + 100))
    }

    func testAClockThatJumpsAheadAndBackCostsOneBogusDayNotTheHistory() throws {
        var p = HostPresence()
        for day in 0..<10 { p.record(up: true, at: at(day, 20), timeZone: utc) }
        // The clock runs 400 days ahead for a sweep, then comes back.
        p.record(up: false, at: at(410, 3), timeZone: utc)
        XCTAssertEqual(p.entries.count, 11)
        p.record(up: true, at: at(10, 20), timeZone: utc)
        XCTAssertEqual(p.entries.count, 11, "the day from the clock that was ahead is dropped")
        XCTAssertFalse(p.entries.contains { $0.day == CivilDay.text(20_098 + 410) })
        XCTAssertEqual(p.entries.last?.day, CivilDay.text(20_098 + 10))
        // Backwards within the night (an NTP step across midnight): the later day stays.
        p.record(up: true, at: at(11, 0.1), timeZone: utc)
        p.record(up: true, at: at(10, 23.9), timeZone: utc)
        XCTAssertEqual(p.entries.suffix(2).map(\.day), [CivilDay.text(20_098 + 10), CivilDay.text(20_098 + 11)])
        XCTAssertEqual(p.entries.last?.seen(at: 0), true)
        // A clock that was never set (an RTC reset to 1970) or nonsense records nothing.
        let before = p
        for t in [0, 946_684_800, -1, .nan, .infinity, 1e300] as [Double] {
            XCTAssertFalse(p.record(up: true, at: t, timeZone: utc), "\(t)")
        }
        XCTAssertEqual(p, before)
    }

    func testUnknownSweepsCountNeitherUpNorDown() throws {
        var state = NightShiftState()
        // A host missing from `up` could not be probed (unknown): the binding leaves it out.
        state.recordSweep(SweepRecord(time: at(0, 21), up: ["Work1": true]), timeZone: utc)
        state.recordSweep(SweepRecord(time: at(0, 22), up: ["Work2": false]), timeZone: utc)
        XCTAssertEqual(state.hosts["Work1"]?.presence?.entries.first?.hours, "---------------------#--")
        XCTAssertEqual(state.hosts["Work2"]?.presence?.entries.first?.hours, "----------------------.-")
    }

    func testABrokenPresenceFieldCostsOnlyItselfAndTheStateStaysKnown() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        func entry(_ day: String, _ hours: String) -> String { "{\"day\": \"\(day)\", \"hours\": \"\(hours)\"}" }
        let full = String(repeating: "#", count: 24)
        var days: [String] = (0..<40).map { entry(CivilDay.text(20_000 + $0), full) }
        days += [entry("2025-02-30", full),                              // no such date
                 entry("2025-01-10", "###"),                             // too short
                 entry("2025-01-10", String(repeating: "x", count: 24)), // not #.-
                 "{\"hours\": \"\(full)\"}", "17", "null",
                 entry(CivilDay.text(20_039), String(repeating: ".", count: 24))] // a duplicate date
        let text = """
            {"version": 1, "note": "kept",
             "hosts": {"A": {"up": true, "last_seen": 5, "presence": [\(days.joined(separator: ", "))], "extra": 1},
                       "B": {"up": false, "presence": "garbage"},
                       "C": {"up": true, "presence": {"days": 3}},
                       "D": {"up": true}}}
            """
        try text.write(toFile: store.path, atomically: false, encoding: .utf8)
        let loaded = try store.load()
        XCTAssertEqual(loaded.condition, .known)
        let a = try XCTUnwrap(loaded.state.hosts["A"]?.presence)
        XCTAssertEqual(a.entries.count, 28, "only the newest 28 valid days are kept")
        XCTAssertEqual(a.entries.last?.day, CivilDay.text(20_039))
        XCTAssertEqual(a.entries.last?.hours, String(repeating: "#", count: 24), "two entries for one date merge, up wins")
        XCTAssertEqual(loaded.state.hosts["A"]?.lastSeen, 5)
        XCTAssertNil(loaded.state.hosts["B"]?.presence)
        XCTAssertEqual(loaded.state.hosts["B"]?.up, false)
        XCTAssertNil(loaded.state.hosts["C"]?.presence)
        XCTAssertNil(loaded.state.hosts["D"]?.presence, "a state from before presence loads as it is")

        // The next sweep rebuilds presence; unknown fields still survive the rewrite.
        var state = loaded.state
        state.recordSweep(SweepRecord(time: at(0, 21), up: ["A": true, "B": true, "C": false, "D": true]), timeZone: utc)
        try store.save(state)
        let raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.path))) as? [String: Any])
        XCTAssertEqual(raw["note"] as? String, "kept")
        let hosts = try XCTUnwrap(raw["hosts"] as? [String: [String: Any]])
        XCTAssertEqual(hosts["A"]?["extra"] as? Int, 1)
        for name in ["A", "B", "C", "D"] {
            XCTAssertNotNil(hosts[name]?["presence"] as? [[String: String]], "\(name): \(hosts[name] ?? [:])")
        }
        let reloaded = try store.load()
        XCTAssertEqual(reloaded.condition, .known)
        XCTAssertEqual(reloaded.state.hosts["B"]?.presence?.entries.first?.hours, "---------------------#--")
        XCTAssertEqual(reloaded.state.hosts["A"]?.presence?.entries.count, 28)
    }

    func testPlainFilesStayPlainAndTheVersionIsUnchanged() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        var state = NightShiftState()
        state.recordSweep(SweepRecord(time: at(0, 21), up: ["A": true]), timeZone: utc)
        try store.save(state)
        let first = try Data(contentsOf: URL(fileURLWithPath: store.path))
        let loaded = try store.load()
        XCTAssertEqual(loaded.state, state)
        XCTAssertEqual(loaded.state.version, 1)
        try store.save(loaded.state)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: store.path)), first)
        XCTAssertTrue(String(decoding: first, as: UTF8.self).contains(#""hours" : "---------------------#--""#))
    }
}
