import Foundation
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// Clock sync of a host that serves no SNTP (Windows clients): its `get_time` action is read
/// with the round trip halved, `{offset}` adjusts rather than sets, and `time_tolerance` and
/// `max_clock_step` apply as to an SNTP reading. The host is marked as answering no SNTP first
/// (what the first silent SNTP try records), so no packet is sent: the actions are local
/// programs, a fake clock `ahead` seconds off this machine's.
final class WindowsClockTests: XCTestCase {
    /// A site whose target "Win" reads `ahead` seconds ahead of this machine and records every
    /// `{offset}` its set_time receives in `offsets`.
    private func load(_ f: ScriptFixture, ahead: Double, extra: String = "") throws -> ScriptRuntime {
        let script = """
            settings { self = "Nas"\(extra) }
            host "Nas" { time_source = true }
            host "Win" { ip = "127.0.0.1", mac = "AA-BB-CC-DD-EE-09", actions = {
              get_time = { "sh", "-c", [[date +%s.%N | awk '{{ printf "%.3f\\n", $1 + \(ahead) }}']] },
              set_time = { "sh", "-c", "echo {offset} >> \(f.dir)/offsets" },
            } }
            job "J" { source = "Nas", target = "Win", run = { "true" }, time_sync = "auto" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        return rt
    }

    /// Runs the clock sync of job "J": true, or the error.
    private func sync(_ rt: ScriptRuntime) throws -> [LuaValue] {
        try rt.executeWithCore("""
            core.require("nightshift.hostclock").no_sntp.Win = true
            local night = core.new_night({ Win = { up = false } }, true, { hosts = {} })
            return night:sync_time(core.config.jobs.J)
            """)
    }

    private func offsets(_ f: ScriptFixture) -> [Double] {
        ((try? String(contentsOfFile: f.dir + "/offsets", encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { Double($0) }
    }

    func testGetTimeIsReadWithTheRoundTripHalved() throws {
        let f = try ScriptFixture()
        let rt = try load(f, ahead: 100)
        let r = try rt.executeWithCore("""
            local offset, err, took = core.require("nightshift.hostclock").get_time("Win", "127.0.0.1")
            return offset, err, took
            """)
        let offset = try XCTUnwrap(r.first?.doubleValue, "\(r)")
        let took = try XCTUnwrap(r.last?.doubleValue, "\(r)")
        // The reading lies inside the run: halving the round trip errs by at most half of it.
        XCTAssertEqual(offset, 100, accuracy: took / 2 + 0.01, "\(r)")
    }

    func testAClockOffIsAdjustedByTheMeasuredOffset() throws {
        let f = try ScriptFixture()
        let rt = try load(f, ahead: 100)
        let r = try sync(rt)
        XCTAssertEqual(r.first, .boolean(true), "\(r) \(f.logText)")
        let sent = offsets(f)
        XCTAssertEqual(sent.count, 1, f.logText)
        // The host is 100 s ahead: it is told to add about -100 s (within the spawn's round trip).
        XCTAssertEqual(sent.first ?? 0, -100, accuracy: 1, f.logText)
        XCTAssertTrue(f.logText.contains("answers no SNTP") == false, "the memory skipped SNTP: \(f.logText)")
        XCTAssertTrue(f.logText.contains("Setting the clock of Win from Nas (adjusting by -"), f.logText)
        // The offset left is read again with get_time, not left unmeasured.
        XCTAssertTrue(f.logText.contains("Clock of Win after the sync: +"), f.logText)
    }

    func testAGoodClockIsNotTouched() throws {
        let f = try ScriptFixture()
        // A tolerance wide enough for two process starts on a busy machine.
        let rt = try load(f, ahead: 0, extra: ", time_tolerance = \"5s\"")
        let r = try sync(rt)
        XCTAssertEqual(r.first, .boolean(true), "\(r) \(f.logText)")
        XCTAssertEqual(offsets(f), [], f.logText)
        XCTAssertTrue(f.logText.contains("Clock of Win is within 5 s of Nas"), f.logText)
    }

    func testTheClockStepLimitAppliesToAGetTimeReading() throws {
        let f = try ScriptFixture()
        let rt = try load(f, ahead: 3 * 86_400)
        let r = try sync(rt)
        XCTAssertEqual(r.first, .nil, "\(r)")
        XCTAssertTrue(r.last?.stringValue?.contains("max_clock_step") == true, "\(r)")
        XCTAssertEqual(offsets(f), [], f.logText)
    }

    func testAnAdjustmentWithAnUnreadableClockFailsTheSyncSayingWhy() throws {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas" }
            host "Nas" { time_source = true }
            host "Win" { ip = "127.0.0.1", mac = "AA-BB-CC-DD-EE-09", actions = {
              get_time = { "sh", "-c", "echo not-a-time" },
              set_time = { "sh", "-c", "echo {offset} >> \(f.dir)/offsets" },
            } }
            job "J" { source = "Nas", target = "Win", run = { "true" }, time_sync = "auto" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let r = try sync(rt)
        XCTAssertEqual(r.first, .nil, "\(r)")
        let why = r.last?.stringValue ?? ""
        XCTAssertTrue(why.contains("adjusts by {offset}") && why.contains("not Unix seconds"), why)
        XCTAssertEqual(offsets(f), [])
    }

    func testTheReadySshSetsHaveGetTime() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let script = "settings { self = \"Nas\" }\nhost \"Nas\" { }\n"
        try rt.loadSite(path: try f.write("site.lua", script), source: Array(script.utf8))
        let r = try rt.lua.execute("""
            local ns = require "nightshift"
            local w, l = ns.actions.windows_ssh(), ns.actions.linux_ssh()
            return w.get_time[#w.get_time], l.get_time[#l.get_time], w.set_time[#w.set_time]
            """)
        XCTAssertEqual(r[0].stringValue,
            #""[decimal]::Divide([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds(),1000).ToString([Globalization.CultureInfo]::InvariantCulture)""#)
        XCTAssertEqual(r[1].stringValue, "+%s.%N")
        XCTAssertEqual(r[2].stringValue, #""Set-Date -Adjust ([TimeSpan]::FromMilliseconds([long]({offset}d*1000)))""#)
    }
}
