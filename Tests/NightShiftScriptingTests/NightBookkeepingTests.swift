import Foundation
import NightShiftScripting
import XCTest

/// One backup per night, retried when it fails: what the loop and the night record across
/// processes. Self-only scripts, so no packet is sent.
final class NightBookkeepingTests: XCTestCase {
    private func state(_ f: ScriptFixture) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: f.dir + "/state/state.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func runLog(_ f: ScriptFixture) -> String {
        (try? String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)) ?? ""
    }

    /// A force window that is open now (local time) for the next two hours.
    private func openWindow() -> String {
        let now = Date()
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .current
        let c = cal.dateComponents([.hour, .minute], from: now.addingTimeInterval(-60))
        let e = cal.dateComponents([.hour, .minute], from: now.addingTimeInterval(2 * 3_600))
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return "\(two(c.hour)):\(two(c.minute))-\(two(e.hour)):\(two(e.minute))"
    }

    private func site(_ f: ScriptFixture) throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h", force_window = "\(openWindow())" }
            host "Nas" { }
            job "Copy" { source = "Nas", target = "Nas", time_sync = "none",
              run = { "sh", "-c", "test -e \(f.dir)/go || exec sleep 97.\(getpid())" } }
            """)
    }

    func testANightKilledMidJobIsRetriedInTheWindowAndOnlyAGoodNightUsesItUp() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        // 1: SIGTERM in the middle of the copy.
        let first = try NightshiftProcess(["run", path, "--once"], in: f.dir)
        XCTAssertTrue(eventually(within: 20) { !processes(containing: "sleep 97.\(getpid())").isEmpty }, runLog(f))
        kill(first.process.processIdentifier, SIGTERM)
        XCTAssertEqual(first.exitCode(within: 20), 143)
        var night = try XCTUnwrap(try state(f)["night"] as? [String: Any])
        XCTAssertEqual(night["failed_attempts"] as? Int, 1)
        XCTAssertNil(night["window_used"], "an interrupted night used the window up")
        XCTAssertNotNil(try state(f)["last_cycle"], "the interrupted cycle wrote no last_cycle")
        let history = try String(contentsOfFile: f.dir + "/state/history.jsonl", encoding: .utf8)
        XCTAssertTrue(history.contains("\"type\":\"cycle\"") && history.contains("\"result\":\"interrupted\""), history)

        // 2: the next check retries inside the window, and this time the copy succeeds.
        _ = FileManager.default.createFile(atPath: f.dir + "/go", contents: nil)
        let second = try NightshiftProcess(["run", path, "--once"], in: f.dir)
        XCTAssertEqual(second.exitCode(within: 30), 0, runLog(f))
        XCTAssertTrue(runLog(f).contains("(retry 2 of 3)"), runLog(f))
        night = try XCTUnwrap(try state(f)["night"] as? [String: Any])
        XCTAssertEqual(night["failed_attempts"] as? Int, 0)
        XCTAssertNotNil(night["window_used"])
        XCTAssertNotNil(night["last_good_automatic"])

        // 3: one backup per night: the next check does not back up again.
        let third = try NightshiftProcess(["run", path, "--once"], in: f.dir)
        XCTAssertEqual(third.exitCode(within: 30), 0)
        let log = runLog(f)
        XCTAssertTrue(log.contains("Decision: no backup - the last good night ended"), log)
    }

    func testANightWhoseProcessWasKilledCountsAsAFailedAttempt() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        let first = try NightshiftProcess(["run", path, "--once"], in: f.dir)
        XCTAssertTrue(eventually(within: 20) { !processes(containing: "sleep 97.\(getpid())").isEmpty }, runLog(f))
        kill(first.process.processIdentifier, SIGKILL)
        _ = first.exitCode(within: 10)
        for pid in processes(containing: "sleep 97.\(getpid())") { kill(pid, SIGKILL) }
        _ = FileManager.default.createFile(atPath: f.dir + "/go", contents: nil)
        let second = try NightshiftProcess(["run", path, "--once"], in: f.dir)
        XCTAssertEqual(second.exitCode(within: 30), 0, runLog(f))
        XCTAssertTrue(runLog(f).contains("was cut short (its process died): it counts as a failed attempt"), runLog(f))
        XCTAssertTrue(runLog(f).contains("(retry 2 of 3)"), runLog(f))
    }

    func testTheLoopWakesAtTheWindowsOpeningWhenCheckEveryIsLonger() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let now = Date()
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .current
        let open = now.addingTimeInterval(120)
        let c = cal.dateComponents([.hour, .minute], from: open)
        let e = cal.dateComponents([.hour, .minute], from: open.addingTimeInterval(600))
        let window = String(format: "%02d:%02d-%02d:%02d", c.hour!, c.minute!, e.hour!, e.minute!)
        let path = try f.write("site.lua", "settings { check_every = \"2h\", force_window = \"\(window)\" }\n")
        let settings = try rt.loadSite(path: path, source: Array(try String(contentsOfFile: path, encoding: .utf8).utf8))
        let runner = CycleLoop(scriptPath: path, options: ScriptOptions(), once: true, log: f.log)
        let wait = runner.nextWait(settings, now: now.timeIntervalSince1970)
        XCTAssertLessThanOrEqual(wait, 122)
        XCTAssertGreaterThan(wait, 60)
        let later = runner.nextWait(settings, now: open.addingTimeInterval(3_600).timeIntervalSince1970)
        XCTAssertEqual(later, 7_200, "far from the window, check_every rules")
    }
}

/// Durations come from the monotonic clock: a wall clock stepped back mid-job (perhaps by
/// our own time sync) never makes one negative.
final class MonotonicDurationTests: XCTestCase {
    func testAClockSteppedBackADayDuringTheJobStillGivesAPositiveDuration() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", """
            settings { self = "Nas" }
            host "Nas" { }
            job "J" { source = "Nas", target = "Nas", time_sync = "none", run = { "sleep", "0.2" } }
            """)
        // Every reading of the wall clock is a day earlier than the one before.
        final class SteppingClock: @unchecked Sendable {
            var t = 1_800_000_000.0
            func next() -> Double { t -= 86_400; return t }
        }
        let clock = SteppingClock()
        let context = ScriptContext(log: f.log, options: ScriptOptions(manual: true), now: { clock.next() })
        context.stateDirectory = f.dir + "/state"
        let rt = try ScriptRuntime(context: context)
        try rt.loadSite(path: path, source: Array(try String(contentsOfFile: path, encoding: .utf8).utf8))
        let outcome = try rt.cycle(manual: true)
        XCTAssertEqual(outcome.code, 0, f.logText)
        let line = try XCTUnwrap(f.logText.split(separator: "\n").first { $0.contains("Job J: ok") }, f.logText)
        let seconds = try XCTUnwrap(Double(line.split(separator: ",").last!.split(separator: " ").first!), String(line))
        XCTAssertGreaterThanOrEqual(seconds, 0.15, String(line))
        XCTAssertLessThan(seconds, 30, String(line))
    }
}
