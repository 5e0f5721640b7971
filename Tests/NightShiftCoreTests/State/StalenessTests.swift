import NightShiftCore
import XCTest

/// Staleness: max_age against the last good run, or the first cycle that declared the job.
final class StalenessTests: XCTestCase {
    func testANeverGoodJobCountsFromItsDeclarationAndTheEventIsDueOncePerDay() {
        var state = NightShiftState()
        XCTAssertEqual(state.declareJobs(["Copy": 3600], now: 1_000), [], "fresh at its declaration")
        XCTAssertEqual(state.jobs["Copy"]?.declared, 1_000)
        XCTAssertEqual(state.declareJobs(["Copy": 3600], now: 4_000), [])
        let due = state.declareJobs(["Copy": 3600], now: 4_601)
        XCTAssertEqual(due.map(\.name), ["Copy"])
        XCTAssertEqual(due.first?.age, 3_601)
        XCTAssertNil(due.first?.lastGood)
        XCTAssertEqual(state.declareJobs(["Copy": 3600], now: 4_601 + 86_399), [], "once per day")
        XCTAssertEqual(state.declareJobs(["Copy": 3600], now: 4_601 + 86_400).count, 1)
        XCTAssertEqual(state.jobs["Copy"]?.declared, 1_000, "the first declaration stays")
    }

    func testAGoodRunMakesItFreshAndResetsTheDailyMark() {
        var state = NightShiftState()
        _ = state.declareJobs(["Copy": 100], now: 0)
        XCTAssertEqual(state.declareJobs(["Copy": 100], now: 200).count, 1)
        state.recordJobEnd("Copy", at: 250, result: .warning)
        XCTAssertEqual(state.declareJobs(["Copy": 100], now: 300), [])
        XCTAssertNil(state.jobs["Copy"]?.staleNotified)
        XCTAssertEqual(state.declareJobs(["Copy": 100], now: 351).map(\.lastGood), [250], "stale again: due at once")
    }

    func testTheVerdictIsOneForAFailedOrStaleJob() {
        var state = NightShiftState()
        _ = state.declareJobs(["A": 100, "B": 100], now: 0)
        state.recordJobEnd("A", at: 10, result: .ok)
        state.recordJobEnd("B", at: 10, result: .ok)
        XCTAssertEqual(StatusVerdict(state, now: 50).exitCode, 0)
        XCTAssertEqual(StatusVerdict(state, now: 111).stale.map(\.name), ["A", "B"])
        XCTAssertEqual(StatusVerdict(state, now: 111).exitCode, 1)
        state.recordJobEnd("A", at: 60, result: .failed)
        XCTAssertEqual(StatusVerdict(state, now: 65).failed, ["A"])
        XCTAssertEqual(StatusVerdict(state, now: 65).exitCode, 1)
    }

    /// The max_age default lives in the script's schema only: a job no cycle declared (so no
    /// max_age recorded) is not judged by a second, Swift-side default.
    func testAJobWithoutARecordedMaxAgeIsNeverJudgedStale() {
        var state = NightShiftState()
        state.recordJobEnd("Old", at: 0, result: .ok)
        XCTAssertNil(state.jobs["Old"]?.maxAge)
        XCTAssertNil(Staleness.check("Old", state.jobs["Old"]!, now: 10 * 86_400))
        XCTAssertEqual(StatusVerdict(state, now: 10 * 86_400).exitCode, 0)
        XCTAssertFalse(try StatusJSON.render(LoadedState(state: state, condition: .known), now: 10 * 86_400).contains("max_age"))
    }

    func testHistorySelectionShowsNightsAndJobsNewestLast() {
        let records: [HistoryRecord] = [
            .cycle(CycleRecord(start: 0, end: 1, ran: false, reason: "someone is online", result: "skipped")),
            .job(JobRecord(name: "A", start: 2, end: 3, result: .ok)),
            .job(JobRecord(name: "B", start: 3, end: 4, result: .failed, reason: "exit 3")),
            .cycle(CycleRecord(start: 2, end: 4, ran: true, reason: "manual", result: "failed")),
        ]
        XCTAssertEqual(HistoryReport.select(records).count, 3, "skipped cycles only with --all")
        XCTAssertEqual(HistoryReport.select(records, allCycles: true).count, 4)
        XCTAssertEqual(HistoryReport.select(records, job: "B"), [records[2]])
        XCTAssertEqual(HistoryReport.select(records, last: 1), [records[3]])
        let text = HistoryReport.render(HistoryReport.select(records), timeZone: ZoneRules.utc)
        XCTAssertTrue(text.contains("1970-01-01 00:00:03") && text.contains("job B") && text.contains("exit 3"), text)
    }
}
