import Foundation
@testable import NightShiftScripting
import XCTest

/// `night:keep_on_reason` - the rule that no machine is switched off under a user - driven
/// table by table without a network: the sweep and the night's memory are given, and the
/// `in_use` action is a local program with the exit code under test.
final class KeepOnReasonTests: XCTestCase {
    struct Case {
        let name: String
        /// Lua run before the night is made, with `sweep` and `st` in scope.
        let setup: String
        /// Lua run on the made `night` before the question.
        var after = ""
        var inUseExit: Int = 1
        var stateKnown = true
        var host = "B"
        /// false: B has no in_use action at all.
        var hasInUse = true
        /// nil: it may be switched off.
        let reason: String?
    }

    private func reason(_ c: Case) throws -> String? {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas" }
            host "Nas" { }
            host "B" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-02",
                       actions = { \(c.hasInUse ? "in_use = { \"sh\", \"-c\", \"exit \(c.inUseExit)\" }," : "") suspend = { "true" } } }
            job "J" { source = "Nas", target = "B", run = { "true" }, after = "suspend", time_sync = "none" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let r = try rt.executeWithCore("""
            local sweep = { B = { up = false } }
            local st = { hosts = {} }
            \(c.setup)
            local night = core.new_night(sweep, \(c.stateKnown), st)
            if sweep.B and not sweep.B.up and not sweep.B.unknown then night.woken.B = true end
            night.answering.B = "10.0.0.2"
            \(c.after)
            return night:keep_on_reason("\(c.host)")
            """)
        return r.first?.stringValue
    }

    func testEveryReasonToKeepAHostOn() throws {
        let cases: [Case] = [
            Case(name: "woken, answered, nobody uses it", setup: "", reason: nil),
            Case(name: "this machine", setup: "", host: "Nas", reason: "it is this machine"),
            Case(name: "state unknown", setup: "", stateKnown: false, reason: "the state is unknown"),
            Case(name: "up at the sweep", setup: "sweep.B.up = true", reason: "it was up at the sweep before the night"),
            Case(name: "unknown at the sweep counts as up", setup: "sweep.B = { up = false, unknown = true }",
                 after: "night.woken.B = true", reason: "it could not be probed at the sweep before the night"),
            Case(name: "not in the sweep", setup: "sweep = {}", reason: "it was not in the sweep"),
            Case(name: "came up by itself", setup: "", after: "night.woken.B = nil night.came_up.B = true",
                 reason: "it came up during the night by itself"),
            Case(name: "not woken by this night", setup: "", after: "night.woken.B = nil", reason: "this night did not wake it"),
            Case(name: "never answered", setup: "", after: "night.never_answered.B = true night.answering.B = nil",
                 reason: "it never answered after the wake-up"),
            Case(name: "in_use reports a user", setup: "", inUseExit: 0, reason: "its in_use check reports a user"),
            Case(name: "in_use failed", setup: "", inUseExit: 2, reason: "its in_use check failed (exit 2)"),
            Case(name: "in_use killed", setup: "", inUseExit: 137, reason: "its in_use check failed (exit 137)"),
            Case(name: "woken by an earlier night, still up, nobody uses it",
                 setup: "sweep.B.up = true st.hosts.B = { woken_at = nightshift.now() - 60 }", reason: nil),
            Case(name: "woken by an earlier night, still up, in use",
                 setup: "sweep.B.up = true st.hosts.B = { woken_at = nightshift.now() - 60 }", inUseExit: 0,
                 reason: "its in_use check reports a user"),
            // ARP alone at the sweep and no NetBIOS answer: asleep with ARP offload - or on
            // behind a firewall that drops NetBIOS too. Only an in_use check can tell.
            Case(name: "answered ARP only at the sweep, nobody uses it",
                 setup: "sweep.B = { up = false, asleep = true }", reason: nil),
            Case(name: "answered ARP only at the sweep, in use",
                 setup: "sweep.B = { up = false, asleep = true }", inUseExit: 0, reason: "its in_use check reports a user"),
            Case(name: "answered ARP only at the sweep, no in_use check",
                 setup: "sweep.B = { up = false, asleep = true }", hasInUse: false,
                 reason: "it answered only ARP at the sweep before the night"),
            Case(name: "down at the sweep, no in_use check", setup: "", hasInUse: false, reason: nil),
            Case(name: "woken two days ago is somebody's now",
                 setup: "sweep.B.up = true st.hosts.B = { woken_at = nightshift.now() - 2 * 86400 }",
                 reason: "it was up at the sweep before the night"),
        ]
        for c in cases {
            let got = try reason(c)
            if let want = c.reason {
                XCTAssertTrue(got?.contains(want) == true, "\(c.name): got \(got ?? "nil (switch off)"), want \(want)")
            } else {
                XCTAssertNil(got, "\(c.name): kept on: \(got ?? "")")
            }
        }
    }
}
