import Foundation
import XCTest
@testable import NightShiftBase
@testable import NightShiftCore

/// The hand-written TZif reader against Foundation's `TimeZone` (ICU), hour by hour.
final class ZoneRulesTests: XCTestCase {
    /// Every hour of 2023-2026 (the fat files' tables) and 2037-2040 (past 2037: the footer).
    static let hours: [Int] = {
        let spans = [(1_672_531_200, 1_767_225_600), (2_114_380_800, 2_209_075_200)]
        return spans.flatMap { Array(stride(from: $0.0, to: $0.1, by: 3_600)) }
    }()

    /// Asserts that `rules` and `zone` agree on the offset and DST flag at every hour, and on
    /// the local instant of each hour's wall-clock reading where it occurs once.
    func assertAgrees(_ rules: ZoneRules, _ zone: TimeZone, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        var mismatches: [String] = []
        for t in Self.hours {
            let date = Date(timeIntervalSince1970: Double(t))
            let offset = zone.secondsFromGMT(for: date), dst = zone.isDaylightSavingTime(for: date)
            let got = rules.type(at: t)
            if got.utcOffset != offset || got.isDaylightSaving != dst {
                mismatches.append("\(date): \(got.utcOffset) s dst \(got.isDaylightSaving), Foundation \(offset) s dst \(dst)")
            }
            // The wall-clock reading maps back to the first instant that shows it.
            let back = rules.firstInstant(atLocal: t + got.utcOffset)
            if back != t, rules.utcOffset(at: back) + back != t + got.utcOffset {
                mismatches.append("\(date): local \(t + got.utcOffset) maps back to \(back)")
            }
            if mismatches.count > 5 { break }
        }
        XCTAssertEqual(mismatches, [], label, file: file, line: line)
    }

    func testAgreesWithFoundationEveryHour() throws {
        for name in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"] {
            let rules = try ZoneRules.named(name)
            XCTAssertEqual(rules.identifier, name)
            assertAgrees(rules, try XCTUnwrap(TimeZone(identifier: name)), name)
        }
    }

    func testFooterOnlyZonesAgreeWithFoundation() throws {
        // A "slim" file: no transitions at all, everything from the footer's rule.
        let cases = [("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3", 3_600), ("America/New_York", "EST5EDT,M3.2.0,M11.1.0", -18_000),
                     ("Australia/Lord_Howe", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37_800), ("Asia/Kolkata", "IST-5:30", 19_800)]
        for (name, rule, standard) in cases {
            let zone = try XCTUnwrap(TimeZone(identifier: name))
            let slim = try TZif(bytes: Self.footerOnlyFile(rule, standardOffset: standard))
            assertAgrees(ZoneRules(identifier: name, tzif: slim), zone, "slim \(name)")
            assertAgrees(try XCTUnwrap(ZoneRules(posixRule: rule)), zone, "TZ=\(rule)")
        }
    }

    func testWallClockTimesAroundTransitions() throws {
        let berlin = try ZoneRules.named("Europe/Berlin")
        // 2025-03-30 02:30 does not exist in Berlin: the first instant after the gap, 01:00 UTC.
        let spring = CivilCalendar.days(year: 2025, month: 3, day: 30) * 86_400
        XCTAssertEqual(berlin.firstInstant(atLocal: spring + 9_000), spring + 3_600)
        // 2025-10-26 02:30 occurs twice: the first, 00:30 UTC (still CEST).
        let autumn = CivilCalendar.days(year: 2025, month: 10, day: 26) * 86_400
        XCTAssertEqual(berlin.firstInstant(atLocal: autumn + 9_000), autumn + 1_800)
        XCTAssertEqual(berlin.nextTransition(after: autumn), autumn + 3_600)
        // Lord Howe moves its clock by 30 minutes: 2025-10-05 02:00-02:30 does not exist.
        let howe = try ZoneRules.named("Australia/Lord_Howe")
        let day = CivilCalendar.days(year: 2025, month: 10, day: 5) * 86_400
        XCTAssertEqual(howe.firstInstant(atLocal: day + 7_200 + 600), day + 7_200 - 37_800)
        XCTAssertEqual(howe.localDay(at: day + 7_200 - 37_800).second, 2 * 3_600 + 1_800)
    }

    func testTZVariableIsReadLikeTheCLibrary() throws {
        let berlin = try ZoneRules.named("Europe/Berlin")
        for tz in ["Europe/Berlin", ":Europe/Berlin", "/usr/share/zoneinfo/Europe/Berlin"] {
            let (zone, warning) = ZoneRules.load(tz: tz)
            XCTAssertNil(warning, tz)
            XCTAssertEqual(zone.identifier, "Europe/Berlin", tz)
            XCTAssertEqual(zone, berlin, tz)
        }
        XCTAssertEqual(ZoneRules.load(tz: "").0, .utc)
        let rule = ZoneRules.load(tz: "CET-1CEST,M3.5.0,M10.5.0/3")
        XCTAssertNil(rule.1)
        XCTAssertEqual(rule.0.utcOffset(at: 1_751_328_000), 7_200) // 2025-07-01
        let unknown = ZoneRules.load(tz: "Nowhere/Atlantis")
        XCTAssertEqual(unknown.0, .utc)
        XCTAssertEqual(unknown.1, #"TZ="Nowhere/Atlantis" is neither a time zone name nor a POSIX TZ rule"#)
        // Unset: /etc/localtime, as Foundation reads it; set: the named zone, as Foundation reads it.
        if ProcessInfo.processInfo.environment["TZ"] == nil {
            let (system, warning) = ZoneRules.load(tz: nil)
            XCTAssertNil(warning)
            XCTAssertEqual(Self.hoursOf2025.map { system.utcOffset(at: $0) },
                           Self.hoursOf2025.map { TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) })
        }
        let newYork = try XCTUnwrap(TimeZone(identifier: "America/New_York"))
        let loaded = ZoneRules.load(tz: "America/New_York").0
        XCTAssertEqual(Self.hoursOf2025.map { loaded.utcOffset(at: $0) },
                       Self.hoursOf2025.map { newYork.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) })
    }

    func testCorruptFilesThrowOrFallBackToUTCWithAWarning() throws {
        let bytes = try XCTUnwrap(ZoneRules.readFile("/usr/share/zoneinfo/Europe/Berlin"))
        XCTAssertNoThrow(try TZif(bytes: bytes))
        // Every truncation throws; none traps.
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try TZif(bytes: Array(bytes[0..<n])), "\(n) bytes")
        }
        XCTAssertThrowsError(try TZif(bytes: Array("TZif3 not really".utf8))) { XCTAssertTrue("\($0)".hasPrefix("truncated")) }
        XCTAssertThrowsError(try TZif(bytes: Array("<html>".utf8))) { XCTAssertEqual("\($0)", #"not a TZif file (no "TZif" magic)"#) }
        // Flipped bytes: an error, or a zone whose every query still answers.
        var generator = SplitMix(state: 21)
        for _ in 0..<2_000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            guard let tzif = try? TZif(bytes: mutated) else { continue }
            let rules = ZoneRules(identifier: "mutated", tzif: tzif)
            for t in [-1 << 40, 0, 1_751_328_000, 4_000_000_000, 1 << 40] {
                _ = rules.type(at: t)
                _ = rules.nextTransition(after: t)
                _ = rules.firstInstant(atLocal: t)
            }
        }
        // The local zone from a corrupt file: UTC, and a warning that names the file.
        let path = NSTemporaryDirectory() + "corrupt-\(getpid())"
        try Data(bytes.prefix(100)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (zone, warning) = ZoneRules.load(tz: path)
        XCTAssertEqual(zone, .utc)
        XCTAssertTrue(warning?.hasPrefix("\(path): truncated") ?? false, warning ?? "no warning")
    }

    func testPosixRulesWithExtensions() throws {
        // All-year DST (RFC 8536's example of a negative and a >24 h time).
        let always = try XCTUnwrap(ZoneRules(posixRule: "EST5EDT,0/0,J365/25"))
        for t in [1_735_689_600, 1_751_328_000, 1_767_182_400] { XCTAssertTrue(always.isDaylightSaving(at: t)) }
        XCTAssertEqual(always.utcOffset(at: 1_751_328_000), -4 * 3_600)
        // Greenland's -02 with the change at -1:00 local (25:00 of the day before, in effect).
        let godthab = try XCTUnwrap(ZoneRules(posixRule: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0"))
        XCTAssertEqual(godthab.utcOffset(at: 1_751_328_000), -3_600)
        for bad in ["", "C", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "<CET-1", "CET-25"] {
            XCTAssertNil(ZoneRules(posixRule: bad), bad)
        }
    }

    // MARK: - Helpers

    static let hoursOf2025 = Array(stride(from: 1_735_689_600, to: 1_767_225_600, by: 3_600))

    /// A TZif version 2 file with one local time type and no transitions: only `footer` speaks.
    static func footerOnlyFile(_ footer: String, standardOffset: Int) -> [UInt8] {
        func be32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
        let header = Array("TZif2".utf8) + [UInt8](repeating: 0, count: 15)
            + be32(0) + be32(0) + be32(0) + be32(0) + be32(1) + be32(4)
        let block = be32(standardOffset) + [0, 0] + Array("STD\0".utf8)
        return header + block + header + block + [0x0A] + Array(footer.utf8) + [0x0A]
    }
}
