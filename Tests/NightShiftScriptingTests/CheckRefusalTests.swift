import Foundation
import NightShiftScripting
import XCTest

/// What `check` (and `run`, before anything is done) refuses with the script's file:line:
/// things that would otherwise only fail at night, or do the wrong thing silently.
final class CheckRefusalTests: XCTestCase {
    private let base = """
        settings { self = "Nas", actions = { suspend = { "ssh", "-l", "{user}", "{ip}", "systemctl", "suspend" } } }
        host "Nas" { }

        """

    func testAHostWithItsOwnActionsNeverGetsTheSettingsOnes() throws {
        let f = try ScriptFixture()
        // A Windows PC with only a shutdown action must not silently get Linux's `systemctl suspend`.
        let p = try f.problems(base + """
            host "Win" { ip = "10.0.0.9", mac = "AA-BB-CC-DD-EE-09", user = "u",
                         actions = { shutdown = { "net", "rpc", "shutdown", "-I", "{ip}" } } }
            job "J" { source = "Nas", target = "Win", run = { "true" }, after = "suspend", time_sync = "none" }
            """)
        XCTAssertEqual(p, ["site.lua:5: job \"J\": after = \"suspend\" but host \"Win\" has no 'suspend' action (add actions.suspend, or settings{actions=...})"])
        // Without its own actions the host uses settings.actions.
        XCTAssertEqual(try f.problems(base + """
            host "Lin" { ip = "10.0.0.8", mac = "AA-BB-CC-DD-EE-08", user = "u" }
            job "J" { source = "Nas", target = "Lin", run = { "true" }, after = "suspend", time_sync = "none" }
            """), [])
    }

    func testAProgramThatIsNotThereIsRefused() throws {
        let f = try ScriptFixture()
        let p = try f.problems(base + """
            job "J" { source = "Nas", target = "Nas", time_sync = "none",
              run = { "rsyncc", "-a", "/a", "/b" } }
            job "K" { source = "Nas", target = "Nas", time_sync = "none", run = { "bin/copy.sh" } }
            """)
        XCTAssertEqual(p, [
            "site.lua:4: job \"J\": run: program \"rsyncc\" is not found in PATH",
            "site.lua:5: job \"K\": run: program \"bin/copy.sh\" does not exist in \(f.dir) (a relative program is looked for in the script's folder, or in the job's cwd)",
        ])
        // A program in the script's folder is found there, and must be executable.
        try FileManager.default.createDirectory(atPath: f.dir + "/bin", withIntermediateDirectories: true)
        try f.write("bin/copy.sh", "#!/bin/sh\n")
        let q = try f.problems(base + "job \"K\" { source = \"Nas\", target = \"Nas\", time_sync = \"none\", run = { \"bin/copy.sh\" } }")
        XCTAssertEqual(q.count, 1)
        XCTAssertTrue(q[0].contains("is not executable"), "\(q)")
        chmod(f.dir + "/bin/copy.sh", 0o755)
        XCTAssertEqual(try f.problems(base + "job \"K\" { source = \"Nas\", target = \"Nas\", time_sync = \"none\", run = { \"bin/copy.sh\" } }"), [])
    }

    func testAMissingOrReadableSshKeyIsRefused() throws {
        let f = try ScriptFixture()
        let key = f.dir + "/id_test"
        let script = """
            local ns = require "nightshift"
            settings { self = "Nas", actions = ns.actions.linux_ssh { key = "\(key)" } }
            host "Nas" { }
            host "B" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-02", user = "u" }
            job "J" { source = "Nas", target = "B", run = { "true" }, after = "suspend", time_sync = "none" }
            """
        XCTAssertEqual(try f.problems(script), ["site.lua:2: settings: actions.get_time: ssh key \"id_test\" does not exist"])
        try f.write("id_test", "not really a key\n")
        chmod(key, 0o644)
        let p = try f.problems(script)
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].contains("is readable by group or others (mode 644; chmod 600 it)"), "\(p)")
        chmod(key, 0o600)
        XCTAssertEqual(try f.problems(script), [])
    }

    func testAZeroTimeoutIsRefusedWithTheWayToSayNoLimit() throws {
        let f = try ScriptFixture()
        let p = try f.problems(base + "job \"J\" { source = \"Nas\", target = \"Nas\", time_sync = \"none\", run = { \"true\" }, timeout = 0 }")
        XCTAssertEqual(p, ["site.lua:3: job \"J\": timeout: must be more than 0 seconds (leave timeout out for no limit)"])
    }

    func testKeysMadeOfPatternCharactersAreReportedAtOnce() throws {
        let f = try ScriptFixture()
        let key = String(repeating: "(.-)*", count: 400)
        let start = Date()
        let p = try f.problems("settings { [\"\(key)\"] = 1 }\n")
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].hasPrefix("site.lua:1: settings: unknown key"), "\(p)")
    }

    func testEpochFracIsAPlaceholder() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(try f.problems(base + """
            host "B" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-02", user = "u", time_source = false,
                       actions = { set_time = { "ssh", "-l", "{user}", "{ip}", "date", "-s", "@{epoch_frac}" } } }
            job "J" { source = "Nas", target = "B", run = { "true" } }
            """), [])
    }
}
