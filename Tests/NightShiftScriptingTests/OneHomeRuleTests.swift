import Foundation
import LuaBinding
import NightShiftScripting
import XCTest

/// A rule has one home: `nightshift check` (dsl.lua) and the primitive that later gets the
/// value apply the same Swift check, so a script that passes the check never fails at the
/// primitive for the same value, and both say it in the same words.
final class OneHomeRuleTests: XCTestCase {
    private func raised(_ f: ScriptFixture, _ call: String) throws -> String { try f.raised(call) }

    /// The watched hosts Swift gets are the ones `ns.hosts.others(true)` names (one rule, in Lua):
    /// declared order, this machine left out, `watch = false` left out.
    func testWatchedHostsAreTheOnesLuaNames() throws {
        let f = try ScriptFixture()
        let text = """
            settings { self = "NAS" }
            host "Work2" { ip = "10.0.0.2" }
            host "NAS" { ip = "10.0.0.9" }
            host "Printer" { ip = "10.0.0.3", watch = false }
            host "Work1" { ip = "10.0.0.1" }
            """
        let path = try f.write("site.lua", text)
        let rt = try f.runtime()
        let settings = try rt.loadSite(path: path, source: Array(text.utf8))
        XCTAssertEqual(settings.watched, ["Work2", "Work1"])
        let lua = try rt.lua.execute("return table.concat(require('nightshift').hosts.others(true), ',')")
        XCTAssertEqual(lua.first?.stringValue, settings.watched.joined(separator: ","))
    }

    func testRangesAreTheOnesThePrimitivesCheck() throws {
        let f = try ScriptFixture()
        let cases: [(setting: String, primitive: String, requirement: String)] = [
            ("settings { wake_repeat = 101 }", "ns.wake('AA:BB:CC:DD:EE:FF', {['repeat'] = 101})", "must be between 1 and 100"),
            ("settings { wake_repeat = 0 }", "ns.wake('AA:BB:CC:DD:EE:FF', {['repeat'] = 0})", "must be between 1 and 100"),
            // Before, the DSL took any count here and the sweep failed at ns.ping.
            ("settings { ping_retries = 101 }", "ns.ping('127.0.0.1', {retries = 101})", "must be between 0 and 100"),
            ("host \"A\" { ip = \"10.0.0.1\", wol_port = 70000 }", "ns.wake('AA:BB:CC:DD:EE:FF', {port = 70000})",
             "must be a port number (1-65535)"),
            ("host \"A\" { ip = \"10.0.0.1\", wol_port = 0 }", "ns.wake('AA:BB:CC:DD:EE:FF', {port = 0})",
             "must be a port number (1-65535)"),
            ("host \"A\" { ip = \"10.0.0.1\", probe = \"tcp:70000\" }", "ns.ping('127.0.0.1', {tcp = 70000})",
             "must be a port number (1-65535)"),
        ]
        for c in cases {
            let problems = try f.problems(c.setting)
            XCTAssertEqual(problems.count, 1, "\(c.setting): \(problems)")
            if !c.setting.contains("probe") {
                XCTAssertTrue(problems.first?.contains(c.requirement) == true, "\(c.setting): \(problems)")
            }
            XCTAssertTrue(try raised(f, c.primitive).contains(c.requirement), c.primitive)
        }
        for good in ["settings { wake_repeat = 100, ping_retries = 0 }",
                     "host \"A\" { ip = \"10.0.0.1\", wol_port = 65535, probe = \"tcp:1\" }"] {
            XCTAssertEqual(try f.problems(good), [], good)
        }
        XCTAssertTrue(try f.problems("settings { wake_repeat = 3.5 }").first?.contains("must be between 1 and 100, got 3.5") == true)
    }

    func testPlaceholdersAreValidatedByArgvTemplate() throws {
        let f = try ScriptFixture()
        let cases: [(argv: String, message: String)] = [
            (#"{"ssh", "{usr}@{ip}"}"#, "unknown placeholder {usr} in \"{usr}@{ip}\" (known: {epoch}, {epoch_frac}, {ip}, {name}, {offset}, {user})"),
            (#"{"echo", "{ip"}"#, "unclosed { in \"{ip\" (write {{ for a literal brace)"),
            (#"{"echo", "a\0b"}"#, "argv item 2 contains a NUL byte"),
            (#"{"echo", 3}"#, "argv item 2 must be a string, got number"),
            (#"{"echo", x = 1}"#, "argv template must be an array (unexpected key 'x')"),
            (#"{}"#, "an argv template (array of strings) expected, got table"),
            (#"{"echo", [3] = "x"}"#, "argv template must be an array without holes"),
        ]
        for c in cases {
            let p = try f.problems("host \"A\" { ip = \"10.0.0.1\", user = \"u\", actions = { shutdown = \(c.argv) } }")
            XCTAssertEqual(p, ["site.lua:1: host \"A\": actions: action 'shutdown': \(c.message)"], c.argv)
        }
        XCTAssertEqual(try f.problems(#"host "A" { ip = "10.0.0.1", user = "u", actions = { shutdown = {"ssh", "{user}@{ip}", "{{x}}", "@{epoch_frac}"} } }"#), [])
    }

    /// One did-you-mean: a primitive's option, a DSL key and a strict global get the same
    /// answer for the same kind of typo (a transposition is one edit everywhere; two letters
    /// get no guess anywhere).
    func testOneDidYouMean() throws {
        let f = try ScriptFixture()
        // The options' suggestion counted a transposition as two edits before: no guess for "stdni".
        XCTAssertTrue(try raised(f, "ns.exec({'true'}, {stdni = 'x'})").contains("unknown option 'stdni'; did you mean 'stdin'?"))
        XCTAssertEqual(try f.problems("job \"J\" { source = \"A\", target = \"A\", run = {\"true\"}, tiemout = 1 }").filter { $0.contains("tiemout") },
                       ["site.lua:1: job \"J\": unknown key 'tiemout'; did you mean 'timeout'?"])
        XCTAssertEqual(try f.problems("hots \"A\" { ip = \"10.0.0.1\" }"), ["site.lua:1: undefined global 'hots'; did you mean 'host'?"])
        // Strict globals guessed for two letters before ('nz' -> 'ns'); nothing does now.
        XCTAssertEqual(try f.problems("local x = nz"), ["site.lua:1: undefined global 'nz'"])
        XCTAssertFalse(try raised(f, "ns.exec({'true'}, {en = {}})").contains("did you mean"))
    }

    /// The defer gates check their options with the one option checker of the Lua primitives
    /// (`hints.options`: did-you-mean, synonyms, the list of options; `defer.command`'s argv as
    /// its array part) and their time limits by `core.check.seconds`: an unknown key, a wrong
    /// type and a bad limit read as they do through `ns.busy.smb` and the Swift primitives.
    func testTheDeferGatesCheckOptionsLikeEveryPrimitive() throws {
        let f = try ScriptFixture()
        let unknown = [
            ("ns.defer.ups{ ups = 'u@h', timout = 5 }",
             "bad argument #1 to 'ups' (unknown option 'timout'; did you mean 'timeout'?; the options are ups, timeout)"),
            ("ns.defer.command{ {'true'}, timout = 5 }",
             "bad argument #1 to 'command' (unknown option 'timout'; did you mean 'timeout'?; the options are timeout and the argv items)"),
            ("ns.defer.command{ 'true', [5] = 'x' }", "bad argument #1 to 'command' (unknown option [5]; the options are timeout and the argv items)"),
            ("ns.busy.smb{ confg = '/etc/samba/smb.conf' }",
             "bad argument #1 to 'smb' (unknown option 'confg'; did you mean 'config'?; the options are config)"),
        ]
        for (call, message) in unknown {
            let raised = try raised(f, call)
            XCTAssertTrue(raised.hasSuffix(":1: " + message), "\(call): \(raised)")
            XCTAssertFalse(raised.contains("nightshift/"), "raised at the caller's line: \(raised)")
        }
        for call in ["ns.defer.ups('u@h')", "ns.defer.command('true')", "ns.busy.smb('x')"] {
            XCTAssertTrue(try raised(f, call).contains("(table expected, got string)"), call)
        }
        // A wrong type and a bad limit: the words of ns.exec's own timeout.
        XCTAssertTrue(try raised(f, "ns.exec({'true'}, {timeout = 'soon'})").contains("(field 'timeout' must be a number, got string)"))
        for gate in ["ns.defer.ups{ ups = 'u@h', timeout = %@ }", "ns.defer.command{ {'true'}, timeout = %@ }"] {
            let call = { (value: String) in try self.raised(f, gate.replacingOccurrences(of: "%@", with: value)) }
            XCTAssertTrue(try call("'soon'").contains("(field 'timeout' must be a number, got string)"), gate)
            XCTAssertTrue(try call("0").contains("(field 'timeout' must be more than 0 seconds)"), gate)
            // Past ten years: passed the gate before, then failed at ns.exec every night.
            XCTAssertTrue(try call("1e12").contains("(field 'timeout' must be at most"), gate)
            XCTAssertEqual(try call("2.5"), "no error", gate)
        }
        XCTAssertEqual(try raised(f, "ns.defer.command{ 'true', '-v', timeout = 5 }"), "no error")
        // In a site script: at its line, like every other problem.
        let p = try f.problems("""
            local ns = require "nightshift"
            settings { defer = { ns.defer.command { { "true" }, timout = 5 } } }
            """)
        XCTAssertTrue(p.first?.hasPrefix("site.lua:2: bad argument #1 to 'command' (unknown option 'timout'; did you mean 'timeout'?") == true, "\(p)")
    }
}
