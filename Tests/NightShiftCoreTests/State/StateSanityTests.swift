import Foundation
@testable import NightShiftCore
import XCTest

/// Crafted state and history files: every absurd value is reset at load with a warning that
/// names its field - never a trap, never a crash loop, never a record "in the future" that
/// blocks the trigger or silences staleness.
final class StateSanityTests: XCTestCase {
    private let now = 1_800_000_000.0

    private func load(_ json: String) throws -> LoadedState {
        let dir = try TestDirectory()
        defer { dir.remove() }
        try json.write(toFile: dir.path + "/state.json", atomically: true, encoding: .utf8)
        return try StateStore(directory: dir.path).load(quarantine: false, now: Date(timeIntervalSince1970: now))
    }

    private func warned(_ loaded: LoadedState, _ field: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(loaded.warnings.contains { $0.hasPrefix(field + " ") }, "no warning naming \(field): \(loaded.warnings)",
                      file: file, line: line)
    }

    func testAbsurdFailedAttemptsAreResetAndTheNextFailureCountsOne() throws {
        for value in ["9223372036854775807", "1e30", "-5", "-9223372036854775808"] {
            var loaded = try load(#"{"version": 1, "night": {"failed_attempts": \#(value), "first_failed": 1799990000}}"#)
            XCTAssertEqual(loaded.condition, .known, value)
            XCTAssertEqual(loaded.state.night.failedAttempts, 0, value)
            XCTAssertNil(loaded.state.night.firstFailed, value)
            warned(loaded, "night.failed_attempts")
            // What trapped before: one more failed night on top of the stored count.
            loaded.state.night.start(RunningNight(start: now))
            loaded.state.night.finish(.failed, at: now + 1, maxAttempts: 3)
            XCTAssertEqual(loaded.state.night.failedAttempts, 1, value)
        }
    }

    func testACountNearTheTopNeverOverflows() {
        var night = NightMemory()
        night.failedAttempts = StateSanity.maxCount
        night.firstFailed = now - 10
        night.start(RunningNight(start: now))
        night.finish(.failed, at: now, maxAttempts: 3)
        XCTAssertEqual(night.failedAttempts, StateSanity.maxCount)
    }

    func testRecordsInTheFutureAreDroppedSoTheyBlockNothing() throws {
        let future = now + 50 * 365.25 * 86_400
        let loaded = try load("""
            {"version": 1,
             "night": {"window_used": \(future), "last_good_automatic": \(future), "failed_attempts": 2, "first_failed": \(future)},
             "jobs": {"Copy": {"last_good": \(future), "declared": \(now - 40 * 86_400), "max_age": 129600, "result": "ok"}},
             "hosts": {"B1": {"woken_at": \(future), "last_seen": \(now - 60)}},
             "force_window": {"last_window_run": \(future)}}
            """)
        XCTAssertEqual(loaded.condition, .known)
        let n = loaded.state.night
        XCTAssertNil(n.windowUsed)
        XCTAssertNil(n.lastGoodAutomatic)
        XCTAssertNil(n.firstFailed)
        XCTAssertEqual(n.failedAttempts, 0, "a series whose start was dropped starts anew")
        XCTAssertNil(loaded.state.lastWindowRun)
        XCTAssertNil(loaded.state.hosts["B1"]?.wokenAt)
        XCTAssertEqual(loaded.state.hosts["B1"]?.lastSeen, now - 60, "a good value is kept")
        for field in ["night.window_used", "night.last_good_automatic", "night.first_failed", "jobs.Copy.last_good",
                      "hosts.B1.woken_at", "force_window.last_window_run"] {
            warned(loaded, field)
        }
        XCTAssertTrue(loaded.warnings.joined().contains("in the future"), "\(loaded.warnings)")
        // Staleness is not silenced: the job is stale, with a non-negative age.
        let verdict = StatusVerdict(loaded.state, now: now)
        XCTAssertEqual(verdict.exitCode, 1)
        let stale = try XCTUnwrap(verdict.stale.first)
        XCTAssertGreaterThanOrEqual(stale.age, 0)
    }

    func testAJobWhoseEveryTimeWasInTheFutureCountsFromNow() throws {
        let future = now + 86_400 * 365
        let loaded = try load(#"{"version": 1, "jobs": {"Copy": {"last_good": \#(future), "declared": \#(future), "max_age": 60}}}"#)
        XCTAssertEqual(loaded.state.jobs["Copy"]?.declared, now)
        let later = StatusVerdict(loaded.state, now: now + 120)
        XCTAssertEqual(later.stale.map(\.name), ["Copy"], "staleness would be silenced for a year")
    }

    func testHugeNegativeAndNonIntegerValuesAreResetNotTrusted() throws {
        let loaded = try load("""
            {"version": 1,
             "hosts": {"B1": {"since": 1e300, "last_sweep": -5, "clock_offset": 1e300}},
             "jobs": {"Copy": {"last_start": -1e300, "max_age": -3,
                               "process": {"owner_pid": 1, "owner_start_time": 1, "group": 0, "group_start_time": 1}}},
             "recent_sweeps": [{"time": 1e300, "up": {"B1": true}}, {"time": \(now - 10), "up": {"B1": false}}],
             "last_cycle": {"start": 1e300, "next_check": 1e300},
             "self_wake": -1, "sleep_pending": 1e300,
             "night": {"running": {"start": 1e300, "manual": false}}}
            """)
        XCTAssertEqual(loaded.condition, .known)
        let b1 = try XCTUnwrap(loaded.state.hosts["B1"])
        XCTAssertNil(b1.since)
        XCTAssertNil(b1.lastSweep)
        XCTAssertNil(b1.clockOffset)
        let job = try XCTUnwrap(loaded.state.jobs["Copy"])
        XCTAssertNil(job.lastStart)
        XCTAssertNil(job.maxAge)
        XCTAssertNil(job.process, "process group 0 would signal nightshift's own group")
        XCTAssertEqual(loaded.state.recentSweeps.map(\.time), [now - 10])
        XCTAssertNil(loaded.state.lastCycle)
        XCTAssertNil(loaded.state.selfWake)
        XCTAssertNil(loaded.state.sleepPending)
        XCTAssertEqual(loaded.state.night.running?.start, now, "a night left running still counts, from now")
        for field in ["hosts.B1.since", "hosts.B1.last_sweep", "hosts.B1.clock_offset", "jobs.Copy.last_start",
                      "jobs.Copy.max_age", "jobs.Copy.process", "recent_sweeps:", "last_cycle.start", "self_wake",
                      "sleep_pending", "night.running.start"] {
            XCTAssertTrue(loaded.warnings.contains { $0.hasPrefix(field) }, "no warning naming \(field): \(loaded.warnings)")
        }
    }

    func testNaNInTheFileIsACorruptStateNotACrash() throws {
        let loaded = try load(#"{"version": 1, "night": {"failed_attempts": NaN}}"#)
        guard case .corrupt = loaded.condition else { return XCTFail("\(loaded.condition)") }
    }

    func testAGoodStateLoadsWithoutWarnings() throws {
        let loaded = try load("""
            {"version": 1, "night": {"failed_attempts": 1, "first_failed": \(now - 100), "window_used": \(now - 3600)},
             "jobs": {"Copy": {"last_good": \(now - 3600), "declared": \(now - 86400), "max_age": 129600}},
             "last_cycle": {"start": \(now - 5), "next_check": \(now + 3600)}, "self_wake": \(now + 7200)}
            """)
        XCTAssertEqual(loaded.warnings, [])
        XCTAssertEqual(loaded.state.night.failedAttempts, 1)
    }

    func testHistoryLinesWithAbsurdValuesAreSkipped() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let lines = [
            #"{"type":"job","name":"A","start":1000,"end":1010,"result":"ok","bytes":5}"#,
            #"{"type":"job","name":"B","start":1000,"end":1010,"result":"ok","bytes":9223372036854775807}"#,
            #"{"type":"job","name":"C","start":1000,"end":1010,"result":"ok","files":-1}"#,
            #"{"type":"job","name":"D","start":-1e300,"end":1010,"result":"ok"}"#,
            #"{"type":"cycle","start":1e300,"end":1,"ran":false,"reason":"","result":"ok","manual":false,"dry_run":false}"#,
            #"{"type":"job","name":"E","start":1000,"end":1010,"result":"ok","bytes":1e30}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir.path + "/history.jsonl", atomically: true, encoding: .utf8)
        let contents = try HistoryLog(directory: dir.path).read()
        XCTAssertEqual(contents.records.count, 1)
        XCTAssertEqual(contents.skippedLines, 5)
    }
}
