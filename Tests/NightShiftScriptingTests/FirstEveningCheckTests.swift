import Foundation
import NightShiftScripting
import XCTest

/// The mistakes a new admin makes on the first evening, as `nightshift check` reports them:
/// the exit code, the script's file:line, and the hint that says how to fix it.
final class FirstEveningCheckTests: XCTestCase {
    private struct Mistake {
        var name: String
        /// Lines after `local ns = require "nightshift"` (line 1); the mistake is on `line`.
        var script: String
        var line: Int
        var hint: String
        var exit: Int32 = 2
    }

    private let nas = "settings { self = \"Nas\" }\nhost \"Nas\" { }\n"

    private func mistakes(_ dir: String) -> [Mistake] {
        [
            Mistake(name: "ntfy URL without a scheme", script: nas + "ns.notify.ntfy { url = \"127.0.0.1:8099/x\" }", line: 4,
                    hint: "bad argument #1 to 'ntfy' (field 'url': \"127.0.0.1:8099/x\" has no scheme: write \"http://127.0.0.1:8099/x\""),
            Mistake(name: "ntfy unknown option", script: nas + "ns.notify.ntfy { url = \"http://127.0.0.1:8099/x\", topic = \"office\" }",
                    line: 4, hint: "unknown option 'topic'; the topic is the last part of url"),
            Mistake(name: "webhook event typo", script: nas + "ns.notify.webhook { url = \"https://example.invalid/h\", on = \"failur\" }",
                    line: 4, hint: "unknown event \"failur\" in field 'on'; did you mean \"failure\"?"),
            Mistake(name: "healthchecks option typo", script: nas + "ns.notify.healthchecks { ulr = \"https://hc.invalid/x\" }",
                    line: 4, hint: "unknown option 'ulr'; did you mean 'url'?"),
            Mistake(name: "ssh action option typo", script: nas + "local a = ns.actions.linux_ssh { keyfile = \"/k\" }",
                    line: 4, hint: "bad argument #1 to 'linux_ssh' (unknown option 'keyfile'"),
            Mistake(name: "ssh port of the wrong type", script: nas + "local a = ns.actions.linux_ssh { port = \"22\" }",
                    line: 4, hint: "field 'port' must be a port number 1-65535"),
            Mistake(name: "busy check option typo", script: nas + "local b = ns.busy.traffic { kbs = 100 }",
                    line: 4, hint: "unknown option 'kbs'; did you mean 'kbps'?"),
            Mistake(name: "address for ip", script: nas + "host \"PC\" {\n  address = \"10.0.0.2\", mac = \"aa:bb:cc:dd:ee:01\" }",
                    line: 5, hint: "host \"PC\": unknown key 'address'; did you mean 'ip'?"),
            Mistake(name: "hostname for ip", script: nas + "host \"PC\" { hostname = \"pc.local\", mac = \"aa:bb:cc:dd:ee:01\" }",
                    line: 4, hint: "unknown key 'hostname'; did you mean 'ip'?"),
            Mistake(name: "wol for mac", script: nas + "host \"PC\" { ip = \"10.0.0.2\", wol = \"aa:bb:cc:dd:ee:01\" }",
                    line: 4, hint: "unknown key 'wol'; did you mean 'mac'?"),
            Mistake(name: "a MAC one byte short", script: nas + "host \"PC\" { ip = \"10.0.0.2\", mac = \"aa:bb:cc:dd:ee\" }",
                    line: 4, hint: "write it aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff"),
            Mistake(name: "a typo in a DSL word", script: nas + "hots \"PC2\" { ip = \"10.0.0.3\" }", line: 4,
                    hint: "undefined global 'hots'; did you mean 'host'?"),
            Mistake(name: "a relative program that is not there", script: nas
                        + "job \"J\" { source = \"Nas\", target = \"Nas\", time_sync = \"none\", run = { \"bin/copy.sh\" } }",
                    line: 4, hint: "program \"bin/copy.sh\" does not exist in \(dir)"),
            Mistake(name: "a metrics folder that does not exist",
                    script: "settings { self = \"Nas\",\n  metrics = \"\(dir)/textfiles/nightshift.prom\" }\nhost \"Nas\" { }", line: 3,
                    hint: "settings: metrics: \"\(dir)/textfiles/nightshift.prom\" cannot be written: its folder \(dir)/textfiles does not exist"),
            Mistake(name: "a report folder under a file", script: nas + "on(\"failure\", ns.report.copy_log(\"\(dir)/site.lua/reports\"))",
                    line: 4, hint: "report.copy_log folder: \"\(dir)/site.lua/reports\" cannot be created: \(dir)/site.lua is not a folder"),
        ]
    }

    func testEveryMistakeIsOneLineWithItsFileLineAndHowToFixIt() throws {
        let f = try ScriptFixture()
        for m in mistakes(f.dir) {
            let path = try f.write("site.lua", "local ns = require \"nightshift\"\n" + m.script + "\n")
            let r = try NightShiftBinary.run(["check", path])
            XCTAssertEqual(r.status, m.exit, "\(m.name): \(r.output)")
            let shown = ScriptRuntime.displayName(path)
            let line = r.output.split(separator: "\n").first { $0.hasPrefix("\(shown):\(m.line): ") }
            XCTAssertNotNil(line, "\(m.name): no line \(shown):\(m.line): in\n\(r.output)")
            XCTAssertTrue(line?.contains(m.hint) ?? false, "\(m.name): hint \"\(m.hint)\" missing in\n\(r.output)")
            XCTAssertFalse(r.output.contains("stack traceback"), "\(m.name): a traceback for a mistake at the script's line:\n\(r.output)")
        }
    }

    func testTheScheduleSaysOpenNowWhileTheForceWindowIsOpen() throws {
        let f = try ScriptFixture()
        // A window from an hour ago to an hour from now (local time, as windows are written).
        let fmt = DateFormatter()
        fmt.dateFormat = "HH:mm"
        let start = fmt.string(from: Date().addingTimeInterval(-3600)), end = fmt.string(from: Date().addingTimeInterval(3600))
        let path = try f.write("site.lua", "settings { self = \"Nas\", force_window = \"\(start)-\(end)\" }\nhost \"Nas\" { }\n")
        let r = try NightShiftBinary.run(["check", path])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("force window \(start)-\(end), open now (until \(end))"), r.output)
        XCTAssertFalse(r.output.contains("next opens"), r.output)
    }

    func testACleanScriptPassesWithItsPathsCheckable() throws {
        let f = try ScriptFixture()
        try FileManager.default.createDirectory(atPath: f.dir + "/textfiles", withIntermediateDirectories: true)
        let path = try f.write("site.lua", """
            local ns = require "nightshift"
            settings { self = "Nas", metrics = "textfiles/nightshift.prom", state_dir = "state/deeper" }
            host "Nas" { }
            host "PC" { ip = "10.0.0.2", mac = "AABB.CCDD.EE01" }
            ns.notify.ntfy { url = "http://127.0.0.1:8099/office", on = { "failure" } }
            on("failure", ns.report.copy_log("reports"))
            """)
        let r = try NightShiftBinary.run(["check", path])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("mac aa:bb:cc:dd:ee:01"), r.output)
    }
}
