import Foundation
import XCTest

/// `nightshift ping|wake|time --script SCRIPT NAME...`: names resolve through the site script.
/// Only loopback is probed (a TCP probe of a closed port: refused counts as up), and the
/// wake cases fail before a packet is sent.
final class SiteToolCommandTests: XCTestCase {
    private func site(_ f: ScriptFixture) throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h" }
            host "Nas" { }
            host "Loop" { ip = { "127.0.0.1" }, probe = "tcp:1", watch = false }
            job "J" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            """)
    }

    func testPingResolvesAHostNameFromTheScript() throws {
        let f = try ScriptFixture()
        let result = try NightShiftBinary.run(["ping", "--script", try site(f), "Loop"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.hasPrefix("Loop up 127.0.0.1 "), result.output)
    }

    func testAnUnknownNameIsAUsageErrorWithASuggestion() throws {
        let f = try ScriptFixture()
        for tool in ["ping", "wake", "time"] {
            let result = try NightShiftBinary.run([tool, "--script", try site(f), "Lop"])
            XCTAssertEqual(result.status, 2, "\(tool): \(result.output)")
            XCTAssertTrue(result.output.contains("unknown host \"Lop\"; did you mean \"Loop\"?"), "\(tool): \(result.output)")
        }
    }

    func testWakeOfAHostWithoutAMACSaysSo() throws {
        let f = try ScriptFixture()
        let result = try NightShiftBinary.run(["wake", "--script", try site(f), "Loop"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("host \"Loop\" has no MAC address to wake"), result.output)
    }

    func testABrokenScriptIsExitTwo() throws {
        let f = try ScriptFixture()
        let path = try f.write("bad.lua", "settings { no_such_key = 1 }\n")
        let result = try NightShiftBinary.run(["ping", "--script", path, "Loop"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("bad.lua:1"), result.output)
    }

    /// Every command that takes a script reports a broken one the way `check` does (one
    /// loader): the count, then each problem with its file:line, exit 2.
    func testEveryCommandReportsABrokenScriptAsCheckDoes() throws {
        let f = try ScriptFixture()
        let path = try f.write("bad.lua", "settings { no_such_key = 1 }\nhost \"A\" { ip = \"10.0.0.1\", macc = 1 }\n")
        let check = try NightShiftBinary.run(["check", path])
        XCTAssertEqual(check.status, 2, check.output)
        // A long path is shown by its file name in file:line (Lua shortens chunk names).
        XCTAssertTrue(check.output.hasPrefix("\(path): 2 errors:\nbad.lua:1: settings: unknown key 'no_such_key'\n"), check.output)
        XCTAssertTrue(check.output.contains("bad.lua:2: host \"A\": unknown key 'macc'; did you mean 'mac'?"), check.output)
        // `status` shows the state below the errors instead (BrokenScriptStatusTests).
        for argv in [["history", path], ["ping", "--script", path, "A"], ["wake", "--script", path, "A"], ["time", "--script", path, "A"]] {
            let r = try NightShiftBinary.run(argv)
            XCTAssertEqual(r.status, 2, "\(argv): \(r.output)")
            XCTAssertEqual(r.output, check.output, "\(argv)")
        }
    }
}
