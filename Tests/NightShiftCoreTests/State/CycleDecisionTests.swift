import Foundation
import XCTest
@testable import NightShiftCore

/// A cycle record keeps why a night started or not (`decision`) apart from why it failed (`reason`).
final class CycleDecisionTests: XCTestCase {
    func testDecisionAndReasonAreSeparateFields() throws {
        let record = HistoryRecord.cycle(CycleRecord(start: 1, end: 2, ran: true, decision: "all watched hosts offline",
                                                     reason: "Copy: exit 23", result: "failed", sleep: "busy: smb: 1 session"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let line = String(decoding: try encoder.encode(record), as: UTF8.self)
        XCTAssertEqual(line, #"{"decision":"all watched hosts offline","dry_run":false,"end":2,"manual":false,"ran":true,"reason":"Copy: exit 23","result":"failed","sleep":"busy: smb: 1 session","start":1,"type":"cycle"}"#)
        XCTAssertEqual(try JSONDecoder().decode(HistoryRecord.self, from: Data(line.utf8)), record)
    }

    func testARecordFromBeforeDecisionKeptItInReason() throws {
        let old = #"{"dry_run":false,"end":2,"manual":false,"ran":false,"reason":"Work3 online","result":"skipped","start":1,"type":"cycle"}"#
        guard case .cycle(let c) = try JSONDecoder().decode(HistoryRecord.self, from: Data(old.utf8)) else { return XCTFail() }
        XCTAssertEqual(c.decision, "Work3 online")
        XCTAssertNil(c.reason)
    }

    func testHistoryShowsEachCyclesDecisionAndWhyItFailed() {
        let text = HistoryReport.render([
            .cycle(CycleRecord(start: 0, end: 60, ran: true, decision: "force window 03:00-05:00", reason: "Copy: exit 23",
                               result: "failed", sleep: "busy: smb: 1 SMB session alice@192.168.1.20")),
            .job(JobRecord(name: "Copy", start: 1, end: 59, result: .failed, reason: "exit 23")),
        ], timeZone: ZoneRules.utc)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].contains("DECISION") && lines[0].contains("REASON"), text)
        XCTAssertTrue(lines[1].contains("force window 03:00-05:00")
                      && lines[1].hasSuffix("Copy: exit 23; stayed awake: busy: smb: 1 SMB session alice@192.168.1.20"), text)
        XCTAssertTrue(lines[2].hasSuffix("exit 23"), text)
    }

    func testStatusShowsTheDecisionAndRecentDecisions() {
        var state = NightShiftState()
        state.lastCycle = CycleState(start: 0, end: 60, nextCheck: nil, reason: "Copy: exit 23", result: "failed",
                                     decision: "force window 03:00-05:00")
        let recent: [HistoryRecord] = [
            .cycle(CycleRecord(start: 0, end: 60, ran: true, decision: "force window 03:00-05:00", reason: "Copy: exit 23",
                               result: "failed", sleep: "busy: nfs: 2 clients")),
        ]
        let text = StatusReport.render(LoadedState(state: state, condition: .known), now: Date(timeIntervalSince1970: 120),
                                       timeZone: ZoneRules.utc, recent: recent)
        XCTAssertTrue(text.contains("Last cycle: started 1970-01-01 00:00, took 1m 00s: failed (Copy: exit 23)\nDecision: force window 03:00-05:00"), text)
        XCTAssertTrue(text.contains("Recent decisions (newest first):\n  1970-01-01 00:00: backed up - force window 03:00-05:00; result: failed (Copy: exit 23); this machine stayed awake: busy: nfs: 2 clients"), text)
        XCTAssertTrue(text.contains("Kept this machine awake at 1970-01-01 00:01: busy: nfs: 2 clients"), text)
    }
}

/// A record with no decision (a cycle cut short before it decided) must not read back as
/// one from before the field existed, whose reason was its decision.
final class CycleDecisionNullTests: XCTestCase {
    func testARecordWithoutDecisionKeepsItsReason() throws {
        let record = HistoryRecord.cycle(CycleRecord(start: 1, end: 2, ran: false, reason: "interrupted by SIGTERM",
                                                     result: "interrupted"))
        let data = try JSONEncoder().encode(record)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains(#""decision":null"#))
        XCTAssertEqual(try JSONDecoder().decode(HistoryRecord.self, from: data), record)
    }
}
