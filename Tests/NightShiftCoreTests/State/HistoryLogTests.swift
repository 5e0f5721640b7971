import Foundation
import XCTest
@testable import NightShiftCore

final class HistoryLogTests: XCTestCase {
    let job = HistoryRecord.job(JobRecord(name: "ServerZuBackup1", source: "Server", target: "Backup1",
                                          start: 100, end: 160.5, result: .ok, reason: "exit 0", code: 0))
    let cycle = HistoryRecord.cycle(CycleRecord(start: 90, end: 200, ran: true, reason: "manual run",
                                                result: "ok", manual: true, nextCheck: 3_800))

    func testAppendsOneFlatObjectPerLine() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path + "/state")
        try log.append(job)
        try log.append(cycle)
        let text = try String(contentsOfFile: log.path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(text.hasSuffix("\n"))
        XCTAssertEqual(String(lines[0]), #"{"code":0,"end":160.5,"name":"ServerZuBackup1","reason":"exit 0","result":"ok","source":"Server","start":100,"target":"Backup1","type":"job"}"#)
        XCTAssertTrue(lines[1].contains(#""type":"cycle""#), String(lines[1]))
        XCTAssertTrue(lines[1].contains(#""dry_run":false"#), String(lines[1]))
        XCTAssertTrue(lines[1].contains(#""next_check":3800"#), String(lines[1]))
        XCTAssertEqual(try log.read(), HistoryContents(records: [job, cycle], skippedLines: 0))
    }

    func testTornLastLineIsSkippedAndNextAppendStartsFresh() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        try log.append(job)
        // What a kill in the middle of a write could leave behind.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"type":"cycle","start":1"#.utf8))
        try handle.close()
        XCTAssertEqual(try log.read(), HistoryContents(records: [job], skippedLines: 1))

        try log.append(cycle)
        XCTAssertEqual(try log.read(), HistoryContents(records: [job, cycle], skippedLines: 1))
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
    }

    func testMissingHistoryReadsEmpty() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        XCTAssertEqual(try HistoryLog(directory: dir.path).read(), HistoryContents(records: [], skippedLines: 0))
    }

    func testUnknownTypeIsSkipped() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let log = HistoryLog(directory: dir.path)
        try Data("{\"type\":\"party\"}\n".utf8).write(to: URL(fileURLWithPath: log.path))
        try log.append(cycle)
        XCTAssertEqual(try log.read(), HistoryContents(records: [cycle], skippedLines: 1))
    }
}
