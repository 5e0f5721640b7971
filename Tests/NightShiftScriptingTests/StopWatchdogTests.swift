import Foundation
import NightShiftCore
import XCTest

/// A stop never depends on site code (docs/design.md, invariant 15): `nightshift run` ends
/// within 10 s of SIGTERM even while Lua runs no hook, records `interrupted` and leaves no
/// child; `check` of a script that tries to leave a hook-less finalizer finishes.
/// These scripts declare no host but this machine, so no packet is sent.
final class StopWatchdogTests: XCTestCase {
    /// A job whose run function spends its time in one C call (a backtracking pattern match,
    /// no instruction for the count hook to stop), after starting a marked child first.
    private func stuckScript(_ f: ScriptFixture) throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h" }
            host "Nas" { }
            job "Stuck" { source = "Nas", target = "Nas", time_sync = "none", run = function()
              local file = io.open("\(f.dir)/started", "w"); file:write("x"); file:close()
              return ("a"):rep(60):find(("a*"):rep(60) .. "b") ~= nil
            end }
            """)
    }

    func testSigtermEndsARunStuckInACCallWithinTenSeconds() throws {
        let f = try ScriptFixture()
        let path = try stuckScript(f)
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        XCTAssertTrue(eventually(within: 20) { FileManager.default.fileExists(atPath: f.dir + "/started") },
                      "the job never started: \(p.output)")
        let sent = Date()
        kill(p.process.processIdentifier, SIGTERM)
        let code = p.exitCode(within: 15)
        let took = Date().timeIntervalSince(sent)
        XCTAssertEqual(code, 143, "nightshift did not end on SIGTERM (after \(took) s): \(p.output)")
        XCTAssertLessThan(took, 10)
        let state = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: f.dir + "/state/state.json"))) as? [String: Any]
        let job = (state?["jobs"] as? [String: Any])?["Stuck"] as? [String: Any]
        XCTAssertEqual(job?["result"] as? String, "interrupted", "\(state ?? [:])")
        XCTAssertEqual(job?["reason"] as? String, "interrupted by SIGTERM")
        let night = state?["night"] as? [String: Any]
        XCTAssertNil(night?["running"], "the night is not left running: \(night ?? [:])")
        let history = try String(contentsOfFile: f.dir + "/state/history.jsonl", encoding: .utf8)
        XCTAssertTrue(history.contains("\"result\":\"interrupted\""), history)
        XCTAssertTrue(processes(containing: f.dir).isEmpty, "a process of the run was left behind")
        // The instance lock is free again.
        try InstanceLock(stateDir: f.dir + "/state").release()
    }

    /// The watchdog on its own: after its deadline it records once and exits 128+signal; a
    /// recording the main thread made first is not made again.
    func testTheWatchdogRecordsOnceAndExits() throws {
        let watchdog = StopWatchdog()
        let exited = Interruption()
        let words = LockedCount()
        watchdog.setLastWords { _ in words.add() }
        XCTAssertTrue(watchdog.recordOnce(signal: SIGTERM) { _ in words.add() })
        watchdog.arm(signal: SIGTERM, after: 0.1) { code in
            XCTAssertEqual(code, 143)
            exited.trigger(signal: SIGTERM)
        }
        XCTAssertTrue(exited.wait(seconds: 10), "the watchdog never ended the process")
        XCTAssertEqual(words.value, 1, "the stop was recorded twice")
        XCTAssertFalse(watchdog.recordOnce(signal: SIGTERM) { _ in words.add() })
    }

    /// `nightshift check` of a script that tries to install a finalizer finishes at once with
    /// a script error naming the line, never hanging when the state is closed.
    func testCheckOfAScriptWithALoopingFinalizerFinishes() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", """
            settings { self = "Nas" }
            host "Nas" { }
            local keep = setmetatable({}, { __gc = function() while true do end end })
            """)
        let p = try NightshiftProcess(["check", path], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 10), 2, p.output)
        XCTAssertTrue(p.output.contains("site.lua:3:") && p.output.contains("__gc is not available"), p.output)
    }
}

/// A counter shared with a `@Sendable` closure.
private final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
