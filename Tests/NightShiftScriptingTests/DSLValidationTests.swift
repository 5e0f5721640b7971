import NightShiftScripting
import XCTest

final class DSLValidationTests: XCTestCase {
    let valid = """
        settings { check_every = "1h", force_window = "22:00-02:00", self = "Nas" }
        host "Nas" { }
        host "B1" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-01", user = "u",
                    actions = { suspend = {"ssh", "{user}@{ip}", "systemctl", "suspend"} } }
        job "Copy" { source = "Nas", target = "B1", run = {"true"}, after = "suspend", time_sync = "none" }
        """

    func testValidScriptHasNoProblemsAndAPlan() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(try f.problems(valid), [])
        let rt = try f.runtime()
        let path = try f.write("ok.lua", valid)
        try rt.loadSite(path: path, source: Array(valid.utf8))
        let plan = try rt.plan().joined(separator: "\n")
        XCTAssertTrue(plan.contains("1. Copy"), plan)
        XCTAssertTrue(plan.contains("force window 22:00-02:00"), plan)
    }

    func testEveryProblemIsListedWithItsLine() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            settings {
              chek_every = "1h",
              force_window = "25:00-01:00",
              wake_timeout = "5x",
            }
            host "A" { ip = "10.0.0.300", mac = "zz" }
            host "B" {
              ip = "10.0.0.3",
            }
            job "J" { source = "A", target = "C", run = {"true"} }
            job "K" { source = "B", target = "B", run = {"true"}, after = "suspend" }
            host "B" { ip = "10.0.0.4" }
            """)
        XCTAssertTrue(p.contains("site.lua:2: settings: unknown key 'chek_every'; did you mean 'check_every'?"), "\(p)")
        XCTAssertTrue(p.contains("site.lua:3: settings: force_window: invalid time window \"25:00-01:00\" (hour 25 is out of range 0-23)"), "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:4: settings: wake_timeout: invalid duration \"5x\"") }, "\(p)")
        XCTAssertTrue(p.contains("site.lua:6: host \"A\": ip: invalid IP address \"10.0.0.300\""), "\(p)")
        XCTAssertTrue(p.contains("site.lua:6: host \"A\": mac: invalid MAC address \"zz\" (write it aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff)"), "\(p)")
        XCTAssertTrue(p.contains("site.lua:10: job \"J\": target: unknown host \"C\""), "\(p)")
        XCTAssertTrue(p.contains("site.lua:11: job \"K\": source \"B\" has no way to be woken (give host \"B\" a 'mac')"), "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:11: job \"K\": after = \"suspend\" but host \"B\" has no 'suspend' action") }, "\(p)")
        XCTAssertTrue(p.contains("site.lua:12: host \"B\" is declared twice (first at site.lua:7)"), "\(p)")
    }

    func testUnknownHostKeyPointsAtItsOwnLine() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            host "A" {
              ip = "10.0.0.2",
              mca = "AA:BB:CC:DD:EE:FF",
            }
            """)
        XCTAssertEqual(p, ["site.lua:3: host \"A\": unknown key 'mca'; did you mean 'mac'?"])
    }

    func testStrictGlobalsNameTheGlobal() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(try f.problems("hots \"A\" { ip = \"10.0.0.1\" }"), ["site.lua:1: undefined global 'hots'; did you mean 'host'?"])
        let assigned = try f.problems("\n\ncounter = 1")
        XCTAssertEqual(assigned.count, 1)
        XCTAssertTrue(assigned[0].hasPrefix("site.lua:3: assignment to undeclared global 'counter'"), "\(assigned)")
        XCTAssertEqual(try f.problems("global \"counter\"\ncounter = 1\nlocal x = counter + ns.now()"), [])
    }

    func testSyntaxErrorHasFileAndLine() throws {
        let f = try ScriptFixture()
        let p = try f.problems("settings {}\nx = = 1\n")
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].hasPrefix("site.lua:2:"), "\(p)")
    }

    func testTimeSyncNeedsASetTimeAction() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            settings { self = "Nas" }
            host "Nas" { time_source = true }
            host "B1" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-01" }
            job "Copy" { source = "Nas", target = "B1", run = {"true"} }
            """)
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].contains("time_sync = \"auto\" must set the clock of \"B1\""), "\(p)")
    }

    func testBadArgumentToExecIsALuaStyleError() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(try f.problems("local ns = require 'nightshift'\nns.exec(42)"),
                       ["site.lua:2: bad argument #1 to 'exec' (table or string expected, got number)"])
        XCTAssertEqual(try f.problems("ns.wake('zz')"), ["site.lua:1: bad argument #1 to 'wake' (invalid MAC address \"zz\" (write it aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff))"])
        XCTAssertEqual(try f.problems("ns.exec({'true'}, {timout = 1})"),
                       ["site.lua:1: bad argument #2 to 'exec' (unknown option 'timout'; did you mean 'timeout'?)"])
    }

    func testArgvTemplatesAreCheckedAndSubstitutedPerElement() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            host "A" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-01", actions = { shutdown = {"ssh", "{usr}@{ip}"} } }
            """)
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].contains("action 'shutdown'") && p[0].contains("usr"), "\(p)")
        let rt = try f.runtime()
        let r = try rt.lua.execute("return ns.template({'echo', '{user}@{ip}', '{name}'}, {user = 'x; rm -rf /', ip = '1.2.3.4', name = '$(reboot)'})")
        XCTAssertEqual(r.first?.tableValue?.array, ["echo", "x; rm -rf /@1.2.3.4", "$(reboot)"])
    }

    func testADeclarationWithoutItsTableIsReported() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(try f.problems("host \"A\"\nhost \"B\" { ip = \"10.0.0.1\" }\n"),
                       ["site.lua:1: host \"A\" has no table (write host \"A\" { ... })"])
    }

    func testNamesAndUsersThatLookLikeOptionsAreRefused() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            host "-x" { ip = "10.0.0.1" }
            host "A" { ip = "10.0.0.2", user = "-oProxyCommand=touch /tmp/pwned" }
            settings { ping_timeout = 0 }
            """)
        XCTAssertEqual(p.count, 3, "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:1: host: the name must be") }, "\(p)")
        XCTAssertTrue(p.contains { $0.contains("invalid user name") }, "\(p)")
        XCTAssertTrue(p.contains("site.lua:3: settings: ping_timeout: must be more than 0 seconds"), "\(p)")
    }

    func testAnActionNeedingAUserOnAHostWithoutOneIsReported() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            settings { self = "N", actions = ns.actions.linux_ssh{} }
            host "N" { }
            host "B" { ip = "10.0.0.2", mac = "AA:BB:CC:DD:EE:01" }
            job "J" { source = "N", target = "B", run = {"true"}, after = "suspend", time_sync = "none" }
            """)
        XCTAssertTrue(p.contains("site.lua:3: host \"B\": its 'suspend' action uses {user}, but the host has no 'user'"), "\(p)")
    }
}
