import Foundation
import NightShiftCore
import XCTest

/// `nightshift status` and `check --explain` on a state.json with recorded presence. Only
/// the script is loaded (nothing is probed), so no packet is sent.
final class PresenceCLITests: XCTestCase {
    private func site(_ f: ScriptFixture, window: String? = nil) throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h"\(window.map { ", force_window = \"\($0)\"" } ?? "") }
            host "Nas" { }
            host "Work3" { ip = "10.200.0.3" }
            host "pc1" { ip = "10.200.0.4" }
            host "printer" { ip = "10.200.0.5", watch = false }
            job "J" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            """)
    }

    /// The local hour of `t` in this machine's time zone (the child's too).
    private func hour(_ t: Date) -> Int {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .current
        return cal.component(.hour, from: t)
    }

    /// Work3's last 10 days: on at every hour but the two starting `off` hours from now, swept hourly.
    private func writeState(_ f: ScriptFixture, offIn off: Int) throws -> Date {
        let now = Date()
        var state = NightShiftState()
        let offHours: Set<Int> = [(hour(now) + off) % 24, (hour(now) + off + 1) % 24]
        for h in stride(from: -240, to: 0, by: 1) {
            let t = now.addingTimeInterval(Double(h) * 3_600)
            state.recordSweep(SweepRecord(time: t.timeIntervalSince1970,
                                          up: ["Work3": !offHours.contains(hour(t)), "printer": true]))
        }
        try StateStore(directory: f.dir + "/state").save(state)
        return now
    }

    /// `HH:00` of the hour `off` hours after `t`.
    private func clock(_ t: Date, plus off: Int) -> String { String(format: "%02d:00", (hour(t) + off) % 24) }

    func testCheckExplainTellsWhenTonightsBackupLikelyStarts() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        let before = try writeState(f, offIn: 3)
        let stateBefore = try Data(contentsOf: URL(fileURLWithPath: f.dir + "/state/state.json"))
        let result = try NightShiftBinary.run(["check", "--explain", path])
        let after = Date()
        XCTAssertEqual(result.status, 0, result.output)
        // The hour may tick over during the run: either reading is right.
        let untils = Set([clock(before, plus: 3), clock(after, plus: 3)])
        // " tomorrow" follows when the hour is past midnight.
        XCTAssertTrue(untils.contains { result.output.contains("  Work3 is usually on until \($0)") }, result.output)
        XCTAssertTrue(untils.contains { result.output.contains("  Tonight: the backup likely starts after \($0)") }, result.output)
        XCTAssertTrue(result.output.contains("once the watched hosts are usually off\n"), result.output)
        XCTAssertTrue(result.output.contains("  pc1: no presence recorded yet (each sweep records it)\n"), result.output)
        XCTAssertTrue(result.output.contains("Presence and tonight's trigger (\(f.dir)/state/state.json):"), result.output)
        XCTAssertTrue(result.output.contains("Presence over the last 28 days"), result.output)
        XCTAssertTrue(result.output.contains("  Work3  ["), result.output)
        XCTAssertFalse(result.output.contains("printer  ["), "an unwatched host is not part of the forecast:\n\(result.output)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.dir + "/state/state.json")), stateBefore, "check never writes the state")

        // Without --explain, check reads no state.
        let plain = try NightShiftBinary.run(["check", path])
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertFalse(plain.output.contains("Tonight"), plain.output)
    }

    func testCheckExplainWithoutStateAndWithAHostOnAllNight() throws {
        let f = try ScriptFixture()
        // A window that opens hours from now, so the run cannot fall inside it.
        let opens = clock(Date(), plus: 6)
        let window = "\(opens)-\(clock(Date(), plus: 7))"
        let path = try site(f, window: window)
        let fresh = try NightShiftBinary.run(["check", "--explain", path])
        XCTAssertEqual(fresh.status, 0, fresh.output)
        XCTAssertTrue(fresh.output.contains("  state: unknown (no state file yet)"), fresh.output)
        XCTAssertTrue(fresh.output.contains("  Tonight: no presence recorded yet; the backup starts at the first check that finds the watched hosts offline, at the latest when the force window \(window) opens at \(opens)"),
                      fresh.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/state"), "check --explain created the state directory")

        // --state-dir names another state, as for status.
        let g = try ScriptFixture()
        _ = try writeState(g, offIn: 3)
        let elsewhere = try NightShiftBinary.run(["check", "--explain", "--state-dir", g.dir + "/state", path])
        XCTAssertEqual(elsewhere.status, 0, elsewhere.output)
        XCTAssertTrue(elsewhere.output.contains("Presence and tonight's trigger (\(g.dir)/state/state.json):"), elsewhere.output)
        XCTAssertTrue(elsewhere.output.contains("  Work3 is usually on until "), elsewhere.output)
    }

    func testStatusShowsTheHourStripsAndWithTheScriptTheForecast() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        let before = try writeState(f, offIn: 5)
        let bare = try NightShiftBinary.run(["status", "--state-dir", f.dir + "/state"])
        XCTAssertEqual(bare.status, 0, bare.output)
        let lines = bare.output.split(separator: "\n").map(String.init)
        let heading = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Presence over the last 28 days") }, bare.output)
        XCTAssertTrue(lines[heading + 1].hasPrefix("HOST      0     6     12    18       DAYS  USUALLY UP"), bare.output)
        let work3 = try XCTUnwrap(lines.first { $0.hasPrefix("Work3    [") }, bare.output)
        let strip = String(work3.dropFirst("Work3    [".count).prefix(24))
        XCTAssertEqual(strip.filter { $0 == "#" }.count, 22, work3)
        XCTAssertEqual(strip.filter { $0 == "." }.count, 2, work3)
        XCTAssertTrue(lines.contains { $0.hasPrefix("printer  [########################]") && $0.hasSuffix("all day") }, bare.output)
        XCTAssertFalse(bare.output.contains("Tonight"), "without the script status cannot know the watched hosts")

        let withScript = try NightShiftBinary.run(["status", path])
        let after = Date()
        XCTAssertEqual(withScript.status, 0, withScript.output)
        let untils = Set([clock(before, plus: 5), clock(after, plus: 5)])
        XCTAssertTrue(untils.contains { withScript.output.contains("\nWork3 is usually on until \($0)") }, withScript.output)
        XCTAssertTrue(withScript.output.contains("\nTonight: the backup likely starts after "), withScript.output)

        let json = try NightShiftBinary.run(["status", path, "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], json.output)
        let hosts = try XCTUnwrap(doc["hosts"] as? [String: [String: Any]])
        let presence = try XCTUnwrap(hosts["Work3"]?["presence"] as? [String: Any], json.output)
        XCTAssertEqual((presence["swept_days"] as? [Int])?.count, 24)
        XCTAssertEqual((presence["up_days"] as? [Int])?.reduce(0, +), 220, "22 hours up on each of 10 days")
        XCTAssertEqual(presence["strip"] as? String, strip)
        let forecast = try XCTUnwrap(doc["forecast"] as? [String: Any], json.output)
        XCTAssertNotNil(forecast["likely_start"] as? Double)
        XCTAssertEqual(forecast["by_window"] as? Bool, false)
        XCTAssertEqual(Set((forecast["hosts"] as? [String: Any])?.keys.map { $0 } ?? []), ["Work3", "pc1"])
    }
}
