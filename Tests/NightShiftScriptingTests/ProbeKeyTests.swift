import LuaBinding
import NightShiftScripting
import XCTest

/// A host's `probe` ("icmp", "tcp:PORT", "arp", "auto" - the default - or an array) is checked
/// with file:line, and `ns.ping`'s `probe` option and per-target `probe` reach the prober:
/// several probes of one loopback address merge into one result naming the one that answered.
final class ProbeKeyTests: XCTestCase {
    func testProbeKeyAcceptsEveryFormAndAnArrayAndRefusesTheRest() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(try f.problems("""
            host "A" { ip = "10.0.0.2", probe = "arp" }
            host "B" { ip = "10.0.0.3", probe = "auto" }
            host "C" { ip = "10.0.0.4", probe = { "icmp", "arp", "tcp:445" } }
            host "D" { ip = "10.0.0.5", probe = "tcp:22" }
            host "E" { ip = { "10.0.0.6", "fd00::6" }, probe = { "arp", "icmp" } }
            """), [])
        let p = try f.problems("""
            host "A" { ip = "10.0.0.2", probe = "ping" }
            host "B" { ip = "10.0.0.3", probe = {} }
            host "C" { ip = "10.0.0.4", probe = { "icmp", "udp:53" } }
            host "D" { ip = "10.0.0.5", probe = "tcp:0" }
            host "E" { ip = { "10.0.0.6", "fd00::6" }, probe = "arp" }
            host "F" { ip = "10.0.0.7", probe = { icmp = true } }
            """)
        XCTAssertTrue(p.contains("site.lua:1: host \"A\": probe: \"icmp\", \"tcp:PORT\", \"arp\" or \"auto\" expected, got \"ping\" (or an array of these)"), "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:2: host \"B\": probe: an array of probes") && $0.contains("must not be empty") }, "\(p)")
        XCTAssertTrue(p.contains("site.lua:3: host \"C\": probe: probe 2: \"icmp\", \"tcp:PORT\", \"arp\" or \"auto\" expected, got \"udp:53\""), "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:4: host \"D\": probe:") && $0.contains("\"tcp:0\"") }, "\(p)")
        XCTAssertTrue(p.contains("site.lua:5: host \"E\": probe \"arp\" reaches IPv4 addresses only, but ip 2 is \"fd00::6\" (use \"auto\" or add \"icmp\")"), "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:6: host \"F\": probe: an array of probes expected") }, "\(p)")
        XCTAssertEqual(p.count, 6, "\(p)")
    }

    func testTheDefaultIsAutoAndThePlanShowsAnExplicitProbe() throws {
        let f = try ScriptFixture()
        let text = """
            settings { self = "Nas" }
            host "Nas" { }
            host "Pc" { ip = "10.0.0.2" }
            host "Win" { ip = "10.0.0.3", probe = { "icmp", "arp" } }
            """
        let rt = try f.runtime()
        try rt.loadSite(path: try f.write("site.lua", text), source: Array(text.utf8))
        XCTAssertEqual(try rt.lua.execute("return ns.hosts.get('Pc').probe").first?.stringValue, "auto")
        let plan = try rt.plan().joined(separator: "\n")
        XCTAssertTrue(plan.contains("probe icmp+arp"), plan)
        XCTAssertFalse(plan.contains("probe auto"), plan)
    }

    func testPingProbeOptionIsCheckedAndMergesProbesOfOneAddress() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        func raised(_ call: String) throws -> String {
            try rt.lua.execute("local ok, e = pcall(function() \(call) end) return ok and 'no error' or tostring(e)").first?.stringValue ?? "?"
        }
        XCTAssertTrue(try raised("ns.ping('127.0.0.1', {probe = 'bogus'})").contains(
            "bad argument #2 to 'ping' (field 'probe' must be \"icmp\", \"tcp:PORT\", \"arp\", \"auto\" or an array of these, got \"bogus\")"))
        XCTAssertTrue(try raised("ns.ping('127.0.0.1', {probe = 'arp', tcp = 22})").contains("field 'tcp': cannot be combined with 'probe'"))
        XCTAssertTrue(try raised("ns.ping({{'127.0.0.1', probe = 5}})").contains("target 1: probe must be"))
        XCTAssertTrue(try raised("ns.wait_up('127.0.0.1', {probe = {}})").contains("field 'probe' must be"))
        // Real probes of loopback: ICMP answers; ARP to an address of this machine cannot be made.
        let r = try rt.lua.execute("""
            local r = ns.ping({ '127.0.0.1', { '127.0.0.2', probe = 'arp' } }, { probe = { 'icmp', 'arp' }, timeout = 0.5 })
            local a, b = r['127.0.0.1'], r['127.0.0.2']
            return a.up, a.probe, b.up, b.unknown, b.error
            """)
        XCTAssertEqual(r[0].boolValue, true, "\(r)")
        XCTAssertEqual(r[1].stringValue, "icmp", "\(r)")
        XCTAssertEqual(r[2].boolValue, false, "\(r)")
        XCTAssertEqual(r[3].boolValue, true, "ARP that cannot be made is unknown: \(r)")
        XCTAssertTrue(r[4].stringValue?.contains("is an address of this machine") == true, "\(r)")
    }
}
