import Foundation
import NightShiftCore
import NightShiftScripting
import XCTest

/// `settings.status_page` through a whole night: written at each job's start (so a job
/// sees itself `running`), after the cycle with the final states, mode 0644; the cycle's
/// history record keeps its decision apart from why it failed.
final class StatusPageNightTests: XCTestCase {
    private func site(_ f: ScriptFixture, extra: String = "") throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", self_sleep = "none", state_dir = "\(f.dir)/state", log_file = "\(f.dir)/test.log",
                       status_page = "www/index.html", site = "Müller <office>" \(extra) }
            host "Nas" { }
            job "Snapshot" { source = "Nas", target = "Nas", time_sync = "none",
                             run = { "cp", "\(f.dir)/www/index.html", "\(f.dir)/during.html" } }
            job "Broken" { source = "Nas", target = "Nas", time_sync = "none",
                           run = function() return false, "<script>alert(1)</script>" end }
            """)
    }

    private func run(_ path: String, _ f: ScriptFixture, dryRun: Bool = false) -> Int32 {
        CycleLoop(scriptPath: path, options: ScriptOptions(dryRun: dryRun, manual: true, noSleep: true), once: true,
                    log: f.log, interruption: Interruption()).run()
    }

    func testTheNightWritesThePageAtEachPhaseAndAfterTheCycle() throws {
        let f = try ScriptFixture()
        try FileManager.default.createDirectory(atPath: f.dir + "/www", withIntermediateDirectories: true)
        let path = try site(f)
        XCTAssertEqual(run(path, f), 1, f.logText)

        let during = try String(contentsOfFile: f.dir + "/during.html", encoding: .utf8)
        XCTAssertTrue(during.contains("<tr data-job=\"Snapshot\" data-state=\"running\">"), during)
        XCTAssertTrue(during.contains("<tr data-job=\"Broken\" data-state=\"never\">"), during)
        XCTAssertTrue(during.contains("<meta http-equiv=\"refresh\""), during)

        let page = f.dir + "/www/index.html"
        let after = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertTrue(after.contains("<tr data-job=\"Snapshot\" data-state=\"ok\">"), after)
        XCTAssertTrue(after.contains("<tr data-job=\"Broken\" data-state=\"failed\">"), after)
        XCTAssertTrue(after.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !after.contains("<script"), after)
        XCTAssertTrue(after.contains("<title>Müller &lt;office&gt; - NightShift</title>"), after)
        XCTAssertFalse(after.contains("http-equiv=\"refresh\""), "the night is over")
        let mode = (try FileManager.default.attributesOfItem(atPath: page)[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o644)

        let history = try HistoryLog(directory: f.dir + "/state").read().records
        guard case .cycle(let cycle)? = history.last else { return XCTFail("no cycle record: \(history)") }
        XCTAssertEqual(cycle.decision, "manual run")
        XCTAssertEqual(cycle.reason, "Broken: <script>alert(1)</script>")
        let state = try StateStore(directory: f.dir + "/state").load().state
        XCTAssertEqual(state.lastCycle?.decision, "manual run")
        XCTAssertEqual(state.lastCycle?.reason, "Broken: <script>alert(1)</script>")
    }

    func testAPageThatCannotBeWrittenIsLoggedAndTheNightGoesOn() throws {
        let f = try ScriptFixture()
        let path = try site(f) // no www folder
        XCTAssertEqual(run(path, f), 1, f.logText)
        let log = f.logText
        XCTAssertTrue(log.contains("Job Broken: failed"), log)
        XCTAssertEqual(log.components(separatedBy: "Cannot write the status page \(f.dir)/www/index.html").count - 1, 1,
                       "once per cycle: \(log)")
    }

    func testADryRunWritesNoPage() throws {
        let f = try ScriptFixture()
        try FileManager.default.createDirectory(atPath: f.dir + "/www", withIntermediateDirectories: true)
        let path = try site(f)
        _ = run(path, f, dryRun: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/www/index.html"))
    }
}
