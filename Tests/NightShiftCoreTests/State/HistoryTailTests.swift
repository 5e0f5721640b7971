import Foundation
import XCTest
@testable import NightShiftCore

/// Reading the history from its end: the last N records (of one job), the records since T.
final class HistoryTailTests: XCTestCase {
    // Starts never before the epoch: a record with a negative time is out of range and skipped.
    func job(_ name: String, _ end: Double, reason: String? = nil) -> HistoryRecord {
        .job(JobRecord(name: name, start: max(0, end - 1), end: end, result: .ok, reason: reason))
    }

    func cycle(_ end: Double) -> HistoryRecord {
        .cycle(CycleRecord(start: max(0, end - 1), end: end, ran: true, reason: "window", result: "ok"))
    }

    func testLastRecordsComeFromTheEndInFileOrder() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        var all: [HistoryRecord] = []
        // Lines of every size, some longer than a read chunk, so lines straddle chunk edges.
        for i in 0..<120 {
            let record = i % 3 == 0 ? cycle(Double(i)) : job(i % 2 == 0 ? "A" : "B", Double(i),
                                                                reason: String(repeating: "x", count: (i * 7_919) % 70_000))
            all.append(record)
            try log.append(record)
        }
        for n in [0, 1, 5, 119, 120, 1_000] {
            XCTAssertEqual(try log.last(n).records, Array(all.suffix(n)), "last \(n)")
        }
        let runsOfA = all.filter { if case .job(let j) = $0 { return j.name == "A" }; return false }
        XCTAssertEqual(try log.last(7, job: "A").records, Array(runsOfA.suffix(7)))
        XCTAssertEqual(try log.last(10_000, job: "A").records, runsOfA)
        // Record i runs from i - 1 to i: the records since 100 are the 19 that started then or later.
        XCTAssertEqual(try log.records(since: 100).records, Array(all.suffix(19)))
        XCTAssertEqual(try log.records(since: 0).records, all)
        XCTAssertEqual(try log.records(since: 1_000).records, [])
    }

    func testATornLastLineIsSkippedAndCounted() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        try log.append(job("A", 1))
        try log.append(job("A", 2))
        let fd = open(log.path, O_WRONLY | O_APPEND)
        _ = write(fd, "{\"type\":\"jo", 11)
        close(fd)
        let contents = try log.last(5)
        XCTAssertEqual(contents.records, [job("A", 1), job("A", 2)])
        XCTAssertEqual(contents.skippedLines, 1)
    }

    func testARecordThatStartedBeforeTheLimitIsNotOfThePeriod() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        let straddling = HistoryRecord.job(JobRecord(name: "A", start: 40, end: 60, result: .ok, reason: nil))
        for record in [job("A", 30), straddling, job("A", 70)] { try log.append(record) }
        XCTAssertEqual(try log.records(since: 50).records, [job("A", 70)])
    }

    func testAMissingHistoryReadsAsEmpty() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        XCTAssertEqual(try HistoryLog(directory: dir.path).last(5), HistoryContents(records: [], skippedLines: 0))
        XCTAssertEqual(try HistoryLog(directory: dir.path).records(since: 0), HistoryContents(records: [], skippedLines: 0))
    }

    func testAnOlderRecordAmongNewerOnesDoesNotEndTheSearch() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        // A clock stepped back once: one record dated before the limit among newer ones.
        for record in [job("A", 10), job("A", 100), job("A", 5), job("A", 110)] { try log.append(record) }
        XCTAssertEqual(try log.records(since: 50).records, [job("A", 100), job("A", 110)])
    }

    func testTheHistoryCommandSelectionReadsFromTheEnd() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        var all: [HistoryRecord] = []
        for i in 0..<40 {
            let r = i % 4 == 0 ? HistoryRecord.cycle(CycleRecord(start: Double(i), end: Double(i), ran: i % 8 == 0,
                                                                 reason: "", result: "ok")) : job("J\(i % 2)", Double(i))
            all.append(r)
            try log.append(r)
        }
        for (jobName, all2) in [(nil, false), ("J1", false), (nil, true)] as [(String?, Bool)] {
            XCTAssertEqual(try HistoryReport.read(log, job: jobName, last: 6, allCycles: all2).records,
                           HistoryReport.select(all, job: jobName, last: 6, allCycles: all2))
            XCTAssertEqual(try HistoryReport.read(log, job: jobName, allCycles: all2).records,
                           HistoryReport.select(all, job: jobName, allCycles: all2))
        }
    }
}
