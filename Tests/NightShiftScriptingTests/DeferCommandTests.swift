import Foundation
import XCTest

/// `settings.defer` with `ns.defer.command`: an automatic night waits while a gate says so or
/// cannot tell; `--manual` ignores the gates.
final class DeferCommandTests: XCTestCase {
    private let job = #"job "Job" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }"#

    /// A gate program whose exit code and output the test sets through files.
    private func gate(_ n: ObservedNight, code: Int, output: String) throws {
        let path = try n.f.write("gate.sh", "#!/bin/sh\nprintf '%s\\n' '\(output)'\nexit \(code)\n")
        chmod(path, 0o755)
    }

    /// One automatic cycle (no --manual); its exit code.
    private func automatic(_ n: ObservedNight) throws -> Int32? {
        try n.run(["run", n.f.dir + "/site.lua", "--once"]).code
    }

    private func lastDecision(_ n: ObservedNight) -> String {
        n.log.components(separatedBy: "\n").last { $0.contains("Decision: ") } ?? ""
    }

    func testExitOneDefersWithItsFirstLineExitZeroGoesAndManualIgnoresTheGate() throws {
        let n = ObservedNight(f: try ScriptFixture())
        try n.site(settings: "defer = { ns.defer.command { { \"\(n.f.dir)/gate.sh\" } } }", job)
        try gate(n, code: 1, output: "uplink is metered until 06:00")
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(lastDecision(n).hasSuffix("Decision: no backup - deferred - uplink is metered until 06:00"), n.log)
        XCTAssertFalse(n.log.contains("Job Job"), "nothing ran: \(n.log)")
        let status = try n.run(["status", n.f.dir + "/site.lua"]).output
        XCTAssertTrue(status.contains("deferred - uplink is metered until 06:00"), status)

        XCTAssertEqual(try n.night(), 0, "--manual: \(n.log)")
        XCTAssertTrue(n.log.contains("Defer checks not asked: --manual"), n.log)
        XCTAssertTrue(lastDecision(n).hasSuffix("Decision: back up - manual run"), n.log)

        let fresh = ObservedNight(f: try ScriptFixture())
        try fresh.site(settings: "defer = { ns.defer.command { { \"\(fresh.f.dir)/gate.sh\" } } }", job)
        try gate(fresh, code: 0, output: "unmetered")
        XCTAssertEqual(try automatic(fresh), 0, fresh.log)
        XCTAssertTrue(fresh.log.contains("Defer check \(fresh.f.dir)/gate.sh: go (unmetered)"), fresh.log)
        XCTAssertTrue(lastDecision(fresh).contains("Decision: back up"), fresh.log)
    }

    func testAGateThatCannotTellDefersSayingWhy() throws {
        let n = ObservedNight(f: try ScriptFixture())
        try n.site(settings: "defer = { ns.defer.command { \"\(n.f.dir)/gate.sh\" } }", job)
        try gate(n, code: 3, output: "flag file unreadable")
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(lastDecision(n).hasSuffix(
            "Decision: no backup - deferred - cannot tell (\(n.f.dir)/gate.sh: exit 3: flag file unreadable)"), n.log)

        try n.site(settings: #"defer = { ns.defer.command { { "/nonexistent/gate" } } }"#, job)
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(lastDecision(n).contains("deferred - cannot tell (/nonexistent/gate: cannot start"), n.log)

        try n.site(settings: #"hook_timeout = "1s", defer = { function() while true do end end }"#, job)
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(lastDecision(n).contains("deferred - cannot tell (function: timed out after 1s (hook_timeout))"), n.log)
    }

    func testBadGatesAreReportedAtTheScriptsLine() throws {
        let f = try ScriptFixture()
        let problems = try f.problems("""
            local ns = require "nightshift"
            settings { defer = { ns.defer.ups { ups = "no at sign" } } }
            """)
        XCTAssertTrue(problems.first?.contains("site.lua:2:") ?? false, "\(problems)")
        XCTAssertTrue(problems.first?.contains(#"bad argument #1 to 'ups' (field 'ups' must be "NAME@HOST[:PORT]", got "no at sign")"#) ?? false,
                      "\(problems)")
        let other = try f.problems("""
            local ns = require "nightshift"
            settings { defer = { "ups" } }
            """)
        XCTAssertTrue(other.first?.contains("site.lua:2:") ?? false, "\(other)")
        XCTAssertTrue(other.first?.contains("item 1: a gate expected") ?? false, "\(other)")
    }
}
