import Foundation
import XCTest
@testable import NightShiftCore

/// `history_keep`: exactly the records younger than the limit stay, at most one rewrite a day,
/// totals untouched, and a rewrite cut short by a kill is adopted, not counted twice.
final class HistoryRetentionTests: XCTestCase {
    func job(_ end: Double, _ result: JobResult = .ok) -> HistoryRecord {
        .job(JobRecord(name: "J", start: end - 10, end: end, result: result))
    }

    func testKeepsExactlyTheRecordsYoungerThanTheLimit() throws {
        for seed in UInt64(1)...15 {
            let dir = try TestDirectory()
            defer { dir.remove() }
            var rng = SplitMix(state: seed)
            let log = HistoryLog(directory: dir.path)
            var time = 1_000_000.0
            var all: [HistoryRecord] = []
            for _ in 0..<Int.random(in: 0...200, using: &rng) {
                let r = HistoryCountersTests.randomRecord(&rng, time: &time)
                all.append(r)
                try log.append(r)
            }
            let keep = Double.random(in: 0...(time - 1_000_000 + 10_000), using: &rng)
            let now = time + Double.random(in: 0...5_000, using: &rng)
            let outcome = try XCTUnwrap(try HistoryRetention.apply(stateDir: dir.path, keep: keep, now: now))
            let young = all.filter { $0.end >= now - keep }
            XCTAssertEqual(try log.read().records, young, "seed \(seed)")
            XCTAssertEqual(outcome, HistoryRetention.Outcome(dropped: all.count - young.count, kept: young.count), "seed \(seed)")
            // The totals still count every record ever written.
            let state = try StateStore(directory: dir.path).load().state
            XCTAssertEqual(state.history?.jobs, HistoryCountersTests.scan(all).jobs, "seed \(seed)")
            XCTAssertEqual(state.history?.cycles, HistoryCountersTests.scan(all).cycles, "seed \(seed)")
            if FileManager.default.fileExists(atPath: log.path) {
                let mode = (try FileManager.default.attributesOfItem(atPath: log.path)[.posixPermissions] as? Int) ?? 0
                XCTAssertEqual(mode & 0o777, 0o600, "seed \(seed)")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
            XCTAssertEqual(leftovers, [], "seed \(seed)")
        }
    }

    func testLooksAtMostOnceADayAndLeavesAFileWithNothingToDropAlone() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        try log.append(job(100_000))
        let before = DurableFile.fingerprint(log.path)
        XCTAssertEqual(try HistoryRetention.apply(stateDir: dir.path, keep: 86_400, now: 150_000),
                       HistoryRetention.Outcome(dropped: 0, kept: 1))
        XCTAssertEqual(DurableFile.fingerprint(log.path), before, "nothing to drop: not rewritten")
        // The record is too old now, but retention looked less than a day ago.
        XCTAssertNil(try HistoryRetention.apply(stateDir: dir.path, keep: 86_400, now: 150_000 + 86_399))
        XCTAssertEqual(try log.read().records, [job(100_000)])
        XCTAssertEqual(try HistoryRetention.apply(stateDir: dir.path, keep: 86_400, now: 150_000 + 86_400),
                       HistoryRetention.Outcome(dropped: 1, kept: 0))
        XCTAssertEqual(try log.read().records, [])
    }

    func testARewriteWhoseStateWriteWasLostIsAdoptedNotRecounted() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        let store = StateStore(directory: dir.path)
        for end in stride(from: 1_000.0, through: 10_000, by: 1_000) { try log.append(job(end, end == 2_000 ? .failed : .ok)) }
        var state = NightShiftState()
        try HistoryCounters.catchUp(&state, directory: dir.path, now: 10_000)
        try store.save(state)
        // What the rewrite does up to its rename, and the kill before its last state write.
        let kept = try log.read().records.filter { $0.end >= 6_000 }
        let bytes = Array(try HistoryReport.jsonLines(kept).utf8)
        let prepared = try DurableFile.prepare(directory: dir.path, name: HistoryLog.fileName, with: bytes, mode: 0o600)
        state.history?.rewrite = prepared.identity + [bytes.count]
        try store.save(state)
        try DurableFile.commit(prepared)
        try log.append(job(11_000))
        var loaded = try store.load().state
        XCTAssertEqual(try HistoryCounters.catchUp(&loaded, directory: dir.path, now: 11_000), .appended(lines: 1))
        XCTAssertEqual(loaded.history?.jobs["J"]?.runs, 11)
        XCTAssertEqual(loaded.history?.jobs["J"]?.failures, 1)
        XCTAssertNil(loaded.history?.rewrite)
    }

    func testARewriteKilledBeforeItsRenameLeavesTheOldFileCounted() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        let store = StateStore(directory: dir.path)
        for end in [1_000.0, 2_000, 3_000] { try log.append(job(end)) }
        var state = NightShiftState()
        try HistoryCounters.catchUp(&state, directory: dir.path, now: 3_000)
        let prepared = try DurableFile.prepare(directory: dir.path, name: HistoryLog.fileName, with: Array("x\n".utf8), mode: 0o600)
        state.history?.rewrite = prepared.identity + [2]
        try store.save(state)
        unlink(prepared.temporary)
        try log.append(job(4_000))
        var loaded = try store.load().state
        XCTAssertEqual(try HistoryCounters.catchUp(&loaded, directory: dir.path, now: 4_000), .appended(lines: 1))
        XCTAssertEqual(loaded.history?.jobs["J"]?.runs, 4)
    }
}
