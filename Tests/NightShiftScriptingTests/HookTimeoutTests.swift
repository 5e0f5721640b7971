import Foundation
import XCTest

/// `settings.hook_timeout`: no piece of site Lua the night calls runs unbounded. These
/// scripts declare no host but this machine, so no packet is sent.
final class HookTimeoutTests: XCTestCase {
    /// A self-only site: one local job, `extra` appended.
    private func site(_ f: ScriptFixture, _ extra: String, job: String = "run = { \"true\" }") throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h", hook_timeout = "1s", self_sleep = "suspend" }
            host "Nas" { actions = { suspend = { "touch", "\(f.dir)/slept" } } }
            job "Local" { source = "Nas", target = "Nas", time_sync = "none", \(job) }
            on("after_backup", function() ns.log.info("AFTER-BACKUP-RAN") end)
            \(extra)
            """)
    }

    /// The log the `nightshift` process wrote (the script's default log_file).
    private func runLog(_ f: ScriptFixture) -> String {
        (try? String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)) ?? ""
    }

    private func history(_ f: ScriptFixture) -> String {
        (try? String(contentsOfFile: f.dir + "/state/history.jsonl", encoding: .utf8)) ?? ""
    }

    func testHungHandlersAreStoppedAndTheNightGoesOnWithAWarning() throws {
        let f = try ScriptFixture()
        let marker = "99.\(getpid())1"
        let path = try site(f, """
            on("after_job", function() while true do end end)
            on("after_job", function() while true do pcall(function() while true do end end) end end)
            on("after_job", function() ns.exec { "sleep", "\(marker)" } end)
            on("after_job", function() ns.sleep(1000) end)
            on("after_job", function() local co = coroutine.wrap(function() while true do end end) co() end)
            """)
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        let code = p.exitCode(within: 60)
        XCTAssertEqual(code, 0, "a hung handler stalled or failed the night:\n\(p.output)")
        let log = runLog(f)
        XCTAssertEqual(log.components(separatedBy: "timed out after 1s (hook_timeout)").count - 1, 5, log)
        XCTAssertTrue(log.contains("AFTER-BACKUP-RAN"), log)
        XCTAssertTrue(log.contains("Night done with warnings"), log)
        XCTAssertTrue(history(f).contains("\"result\":\"warning\""), history(f))
        XCTAssertEqual(processes(containing: "sleep \(marker)"), [], "the handler's child outlived it")
        XCTAssertTrue(FileManager.default.fileExists(atPath: f.dir + "/slept"), "the NAS did not go to sleep after the hung handlers")
    }

    func testAHungRunFunctionFailsItsJobAndItsChildIsKilled() throws {
        let f = try ScriptFixture()
        let marker = "98.\(getpid())2"
        let path = try site(f, "", job: "run = function() ns.exec { \"sleep\", \"\(marker)\" } return true end")
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 30), 1, p.output)
        XCTAssertTrue(runLog(f).contains("the run function timed out after 1s (hook_timeout)"), runLog(f))
        XCTAssertTrue(runLog(f).contains("AFTER-BACKUP-RAN"), runLog(f))
        XCTAssertEqual(processes(containing: "sleep \(marker)"), [])
    }

    func testARunFunctionGetsTheJobsTimeoutInsteadOfHookTimeout() throws {
        let f = try ScriptFixture()
        let path = try site(f, "", job: "timeout = \"3s\", run = function() ns.sleep(2) return true, \"slept\" end")
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 30), 0, runLog(f))
        XCTAssertTrue(runLog(f).contains("Job Local: ok (slept"), runLog(f))
    }

    func testAHungRoutineIsStoppedButTheJobsItRanAreNotCharged() throws {
        let f = try ScriptFixture()
        // The job takes 1.5 s inside night:run: longer than hook_timeout, yet it is not the routine's time.
        let path = try site(f, """
            routine(function(night)
              night:run("Local")
              while true do end
            end)
            """, job: "run = { \"sleep\", \"1.5\" }")
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 30), 1, runLog(f))
        XCTAssertTrue(runLog(f).contains("Job Local: ok"), runLog(f))
        XCTAssertTrue(runLog(f).contains("routine: timed out after 1s (hook_timeout)"), runLog(f))
        XCTAssertTrue(runLog(f).contains("AFTER-BACKUP-RAN"), runLog(f))
    }

    func testAHungTriggerFailsTheCycleWithoutABackup() throws {
        let f = try ScriptFixture()
        let path = try site(f, "trigger(function() while true do end end)")
        let p = try NightshiftProcess(["run", path, "--once"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 30), 1, runLog(f))
        XCTAssertTrue(runLog(f).contains("trigger: timed out after 1s (hook_timeout)"), runLog(f))
        XCTAssertFalse(runLog(f).contains("=== Job"), runLog(f))
    }

    func testAFailingHandlerIsOneConsoleLineAndMakesTheCycleAWarning() throws {
        let f = try ScriptFixture()
        let path = try site(f, "on(\"after_job\", function() error(\"no webhook today\") end)")
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 30), 0, p.output)
        let lines = p.output.split(separator: "\n").filter { $0.contains("no webhook today") }
        XCTAssertEqual(lines.count, 1, p.output)
        XCTAssertTrue(lines.first?.contains("site.lua:5: no webhook today") == true, p.output)
        XCTAssertFalse(p.output.contains("stack traceback"), p.output)
        XCTAssertTrue(runLog(f).contains("stack traceback"), "the traceback belongs in the log file")
        XCTAssertTrue(history(f).contains("\"result\":\"warning\""), history(f))
    }

    func testARunFunctionReturningANonStringReasonIsReportedAndTheNextJobRuns() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h" }
            host "Nas" { }
            job "Odd" { source = "Nas", target = "Nas", time_sync = "none", run = function() return false, { 1, 2 } end }
            job "Weird" { source = "Nas", target = "Nas", time_sync = "none", run = function() return 42 end }
            job "Next" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            """)
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 30), 1, runLog(f))
        XCTAssertTrue(runLog(f).contains("Job Odd: failed (table:"), runLog(f))
        XCTAssertTrue(runLog(f).contains("Job Weird: failed (the run function returned number"), runLog(f))
        XCTAssertTrue(runLog(f).contains("Job Next: ok"), runLog(f))
        let state = try String(contentsOfFile: f.dir + "/state/state.json", encoding: .utf8)
        XCTAssertFalse(state.contains("\"running\""), state)
    }
}
