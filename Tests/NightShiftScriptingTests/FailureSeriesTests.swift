import Foundation
import NightShiftScripting
import XCTest

/// max_attempts across series: the trigger that decides and the state that is written agree,
/// so a failing job runs at most max_attempts nights per series, whatever the state held
/// before. Self-only scripts with an injected clock: no packet, no waiting.
final class FailureSeriesTests: XCTestCase {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var t: Double
        init(_ t: Double) { self.t = t }
        var now: Double { lock.withLock { t } }
        func advance(_ s: Double) { lock.withLock { t += s } }
    }

    private func site(_ f: ScriptFixture, extra: String = "") throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h"\(extra) }
            host "Nas" { }
            job "Copy" { source = "Nas", target = "Nas", time_sync = "none",
              run = { "sh", "-c", "echo run >> \(f.dir)/runs; exit 3" } }
            """)
    }

    private func runs(_ f: ScriptFixture) -> Int {
        ((try? String(contentsOfFile: f.dir + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Runs `cycles` automatic cycles 0.5 s apart, each with a fresh runtime as the loop does.
    private func loop(_ f: ScriptFixture, _ path: String, clock: Clock, cycles: Int) throws {
        for _ in 0..<cycles {
            let context = ScriptContext(log: f.log, options: ScriptOptions(), now: { clock.now })
            context.stateDirectory = f.dir + "/state"
            let rt = try ScriptRuntime(context: context)
            try rt.loadSite(path: path, source: Array(try String(contentsOfFile: path, encoding: .utf8).utf8))
            _ = try rt.cycle(manual: false)
            clock.advance(0.5)
        }
    }

    private func night(_ f: ScriptFixture) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: f.dir + "/state/state.json"))
        let state = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(state["night"] as? [String: Any])
    }

    func testAFreshStateRunsAtMostMaxAttemptsFailingNights() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        let clock = Clock(Date().timeIntervalSince1970)
        try loop(f, path, clock: clock, cycles: 12)
        XCTAssertEqual(runs(f), 3, f.logText)
        XCTAssertEqual(try night(f)["failed_attempts"] as? Int, 3)
        XCTAssertTrue(f.logText.contains("3 failed nights in a row (max_attempts 3)"), f.logText)
    }

    func testAnExpiredSeriesStartsANewOneCountingFromOne() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        let start = Date().timeIntervalSince1970
        let old = start - 13 * 3_600
        try FileManager.default.createDirectory(atPath: f.dir + "/state", withIntermediateDirectories: true)
        try f.write("state/state.json", """
            {"version": 1, "night": {"failed_attempts": 3, "first_failed": \(old), "last_start": \(old + 60),
             "last_end": \(old + 120), "last_result": "failed"}}
            """)
        let clock = Clock(start)
        // The first night of the new series: count 1, first_failed moved to it.
        try loop(f, path, clock: clock, cycles: 1)
        XCTAssertEqual(runs(f), 1, f.logText)
        var n = try night(f)
        XCTAssertEqual(n["failed_attempts"] as? Int, 1, "\(n)")
        XCTAssertEqual(try XCTUnwrap(n["first_failed"] as? Double), start, accuracy: 1, "\(n)")
        try loop(f, path, clock: clock, cycles: 14)
        XCTAssertEqual(runs(f), 3, f.logText)
        n = try night(f)
        XCTAssertEqual(n["failed_attempts"] as? Int, 3, "\(n)")
        // 12 h after the new series began, the next one may start: again at most max_attempts.
        clock.advance(12 * 3_600 + 1)
        try loop(f, path, clock: clock, cycles: 10)
        XCTAssertEqual(runs(f), 6, f.logText)
    }

    func testAGoodNightEndsTheSeriesAndTheNextFailureStartsAtOne() throws {
        let f = try ScriptFixture()
        let path = try site(f, extra: ", min_interval = \"1s\"")
        let clock = Clock(Date().timeIntervalSince1970)
        try loop(f, path, clock: clock, cycles: 1)
        XCTAssertEqual(try night(f)["failed_attempts"] as? Int, 1)
        // The same job succeeds once, then fails again.
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h", min_interval = "1s" }
            host "Nas" { }
            job "Copy" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            """)
        try loop(f, path, clock: clock, cycles: 1)
        XCTAssertEqual(try night(f)["failed_attempts"] as? Int, 0)
        clock.advance(2)
        _ = try site(f, extra: ", min_interval = \"1s\"")
        try loop(f, path, clock: clock, cycles: 1)
        let n = try night(f)
        XCTAssertEqual(n["failed_attempts"] as? Int, 1, "\(n)")
    }
}
