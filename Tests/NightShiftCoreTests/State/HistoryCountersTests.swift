import Foundation
import XCTest
@testable import NightShiftCore

/// A small seeded generator, so a failing random history can be replayed from its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The counters in state.json equal what a full scan of history.jsonl gives, however the
/// appends, torn lines, lost state writes and restarts interleave.
final class HistoryCountersTests: XCTestCase {
    /// What a full read of the history adds up to: the reference the counters must match.
    static func scan(_ records: [HistoryRecord]) -> HistoryCounters {
        var c = HistoryCounters()
        for r in records { c.count(r) }
        return c
    }

    static func randomRecord(_ rng: inout SplitMix, time: inout Double) -> HistoryRecord {
        time += Double.random(in: 1...7_200, using: &rng)
        if Bool.random(using: &rng) {
            return .cycle(CycleRecord(start: time - 5, end: time, ran: Bool.random(using: &rng), reason: "r",
                                      result: ["ok", "failed", "skipped"].randomElement(using: &rng)!))
        }
        let results: [JobResult] = [.ok, .warning, .failed, .interrupted]
        return .job(JobRecord(name: ["A", "B", "C \"q\""].randomElement(using: &rng)!,
                              start: time - Double.random(in: 0...600, using: &rng), end: time,
                              result: results.randomElement(using: &rng)!))
    }

    func assertCountersMatch(_ counters: HistoryCounters?, _ records: [HistoryRecord], seed: UInt64,
                             file: StaticString = #filePath, line: UInt = #line) {
        let expected = Self.scan(records)
        XCTAssertEqual(counters?.cycles, expected.cycles, "seed \(seed)", file: file, line: line)
        XCTAssertEqual(counters?.jobs, expected.jobs, "seed \(seed)", file: file, line: line)
    }

    func testCountersEqualAFullScanOverRandomHistories() throws {
        for seed in UInt64(1)...20 {
            let dir = try TestDirectory()
            defer { dir.remove() }
            var rng = SplitMix(state: seed)
            let log = HistoryLog(directory: dir.path)
            let store = StateStore(directory: dir.path)
            var time = 1_700_000_000.0
            // Some histories predate the counters: the first update is the upgrade's one read.
            let upgrade = Bool.random(using: &rng)
            if upgrade {
                for _ in 0..<Int.random(in: 1...50, using: &rng) { try log.append(Self.randomRecord(&rng, time: &time)) }
            } else {
                var fresh = NightShiftState()
                try HistoryCounters.catchUp(&fresh, directory: dir.path, now: time)
                try store.save(fresh)
            }
            for _ in 0..<Int.random(in: 20...120, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0:
                    // A writer killed mid-line: the torn line is no record, for the scan and for the counters.
                    let fd = open(log.path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
                    _ = write(fd, "{\"type\":\"job\",\"na", 17)
                    close(fd)
                case 1, 2:
                    // A state write that counts what was appended (or is lost: the kill came first).
                    var state = try store.load().state
                    try HistoryCounters.catchUp(&state, directory: dir.path, now: time)
                    if Int.random(in: 0..<4, using: &rng) > 0 { try store.save(state) }
                default:
                    try log.append(Self.randomRecord(&rng, time: &time))
                }
            }
            var state = try store.load().state
            let update = try HistoryCounters.catchUp(&state, directory: dir.path, now: time)
            let contents = try log.read()
            assertCountersMatch(state.history, contents.records, seed: seed)
            if upgrade, case .recounted = update {
                XCTAssertNotNil(state.history?.seeded, "seed \(seed): the upgrade's read is marked")
            }
            // Saved and loaded again, nothing more to count.
            try store.save(state)
            var again = try store.load().state
            XCTAssertEqual(try HistoryCounters.catchUp(&again, directory: dir.path, now: time), .appended(lines: 0), "seed \(seed)")
            XCTAssertEqual(again.history, state.history, "seed \(seed)")
        }
    }

    func testAnUpgradeReadsTheOldHistoryOnceAndMarksIt() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        var rng = SplitMix(state: 7)
        var time = 1_000.0
        for _ in 0..<30 { try log.append(Self.randomRecord(&rng, time: &time)) }
        var state = NightShiftState()
        XCTAssertNil(state.history)
        XCTAssertEqual(try HistoryCounters.catchUp(&state, directory: dir.path, now: 5), .recounted(lines: 30))
        XCTAssertEqual(state.history?.seeded, 5)
        try log.append(Self.randomRecord(&rng, time: &time))
        XCTAssertEqual(try HistoryCounters.catchUp(&state, directory: dir.path, now: 6), .appended(lines: 1))
        XCTAssertEqual(state.history?.seeded, 5, "read once, not again")
        assertCountersMatch(state.history, try log.read().records, seed: 7)
    }

    func testANewInstallIsNotMarkedAsSeeded() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var state = NightShiftState()
        try HistoryCounters.catchUp(&state, directory: dir.path, now: 1)
        try HistoryLog(directory: dir.path).append(.cycle(CycleRecord(start: 1, end: 2, ran: false, reason: "", result: "skipped")))
        XCTAssertEqual(try HistoryCounters.catchUp(&state, directory: dir.path, now: 2), .appended(lines: 1))
        XCTAssertNil(state.history?.seeded)
        XCTAssertEqual(state.history?.cycles, 1)
    }

    func testTheCountersSurviveAStateFileRoundTrip() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var state = NightShiftState()
        var c = HistoryCounters()
        c.count(.job(JobRecord(name: "J", start: 10, end: 70, result: .ok)))
        c.count(.job(JobRecord(name: "J", start: 100, end: 130, result: .failed)))
        c.through = 123
        state.history = c
        let store = StateStore(directory: dir.path)
        try store.save(state)
        XCTAssertEqual(try store.load().state.history, c)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        XCTAssertTrue(text.contains(#""last_success" : 70"#), text)
        XCTAssertEqual(c.jobs["J"], {
            var j = JobCounters()
            j.runs = 2; j.failures = 1; j.seconds = 90; j.lastRun = 100; j.lastSuccess = 70; j.lastSeconds = 30
            return j
        }())
    }
}
