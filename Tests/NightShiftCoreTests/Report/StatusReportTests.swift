import Foundation
import XCTest
@testable import NightShiftCore

final class StatusReportTests: XCTestCase {
    let utc = ZoneRules.utc
    // 2025-01-10 12:00:00 UTC
    let now = Date(timeIntervalSince1970: 1_736_510_400)

    func testRendersAlignedTables() {
        let t = now.timeIntervalSince1970
        var state = NightShiftState()
        state.recordSweep(SweepRecord(time: t - 7_200, up: ["Work1": true, "Backup1": false]), timeZone: utc)
        state.recordSweep(SweepRecord(time: t - 3_600, up: ["Work1": true, "Backup1": false]), timeZone: utc)
        state.recordJobStart("ServerZuBackup1", at: t - 72_000)
        state.recordJobEnd("ServerZuBackup1", at: t - 72_000 + 780, result: .ok, reason: "exit 0")
        state.recordJobStart("Backup1ZuBackup2", at: t - 3_000)
        state.recordJobEnd("Backup1ZuBackup2", at: t - 2_900, result: .failed, reason: "Backup2 stayed offline after wake")
        state.lastCycle = CycleState(start: t - 3_600, end: t - 2_700, nextCheck: t + 1_800, reason: "manual run")
        state.lastWindowRun = t - 32_400
        state.night.start(RunningNight(start: t - 3_300))
        state.night.finish(.warning, at: t - 2_800, maxAttempts: 3)

        let text = StatusReport.render(LoadedState(state: state, condition: .known),
                                       stateFile: "/var/lib/nightshift/state.json", now: now, timeZone: utc)
        let expected = """
        NightShift status at 2025-01-10 12:00:00 (/var/lib/nightshift/state.json)

        Last sweep: 2025-01-10 11:00 (1h 00m ago)
        HOST     STATE  SINCE                          LAST SEEN
        Backup1  down   2025-01-10 10:00 (2h 00m ago)  never
        Work1    up     2025-01-10 10:00 (2h 00m ago)  2025-01-10 11:00 (1h 00m ago)

        Presence over the last 28 days (local hours; # usually up, + sometimes, . never, blank: not swept):
        HOST      0     6     12    18       DAYS  USUALLY UP
        Backup1  [          ..            ]  1     never
        Work1    [          ##            ]  1     10:00-12:00

        JOB               RESULT  LAST START        LAST GOOD    REASON
        Backup1ZuBackup2  failed  2025-01-10 11:10  never        Backup2 stayed offline after wake
        ServerZuBackup1   ok      2025-01-09 16:00  19h 47m ago  exit 0

        Last cycle: started 2025-01-10 11:00, took 15m 00s (manual run)
        Next check: 2025-01-10 12:30 (in 30m 00s)
        Last night: started 2025-01-10 11:05, took 8m 20s: warning
        Force window last used: 2025-01-10 03:00

        """
        XCTAssertEqual(text, expected)
        XCTAssertFalse(text.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no trailing spaces")
    }

    func testUnknownStateSaysSo() {
        let text = StatusReport.render(LoadedState(state: NightShiftState(), condition: .missing), now: now, timeZone: utc)
        XCTAssertEqual(text, """
        NightShift status at 2025-01-10 12:00:00
        State: unknown (no state file yet)

        Hosts: none swept yet

        Jobs: none run yet

        Last cycle: none yet

        """)
        let corrupt = StatusReport.render(
            LoadedState(state: NightShiftState(), condition: .corrupt(reason: "invalid JSON", keptAs: nil)), now: now, timeZone: utc)
        XCTAssertTrue(corrupt.contains("State: unknown (state file was corrupt: invalid JSON)"), corrupt)
        let running = StatusReport.render(LoadedState(state: NightShiftState(), condition: .known), now: now,
                                          timeZone: utc, daemonPID: 4321)
        XCTAssertTrue(running.hasPrefix("NightShift status at 2025-01-10 12:00:00\nRunning: nightshift pid 4321 holds the state directory\n"), running)
    }

    func testRunningCycleAndOverdueCheck() {
        let t = now.timeIntervalSince1970
        var state = NightShiftState()
        state.lastCycle = CycleState(start: t - 600, end: nil, nextCheck: t - 60)
        state.recordJobStart("J", at: t - 500)
        let text = StatusReport.render(LoadedState(state: state, condition: .known), now: now, timeZone: utc)
        XCTAssertTrue(text.contains("Last cycle: started 2025-01-10 11:50, still running or interrupted\n"), text)
        XCTAssertTrue(text.contains("Next check: 2025-01-10 11:59 (overdue by 1m 00s)"), text)
        XCTAssertTrue(text.contains("J    running  2025-01-10 11:51  never"), text)
    }

    /// The night's own record: a night running now is not dated by the previous night's end.
    func testLastNightWhileANightRunsAndInJSON() throws {
        let t = now.timeIntervalSince1970
        var state = NightShiftState()
        state.night.start(RunningNight(start: t - 90_000))
        state.night.finish(.ok, at: t - 89_000, maxAttempts: 3)
        state.night.start(RunningNight(start: t - 600))
        let text = StatusReport.render(LoadedState(state: state, condition: .known), now: now, timeZone: utc)
        XCTAssertTrue(text.contains("Last night: started 2025-01-10 11:50, still running or interrupted\n"), text)
        let running = try JSONSerialization.jsonObject(
            with: Data(StatusJSON.render(LoadedState(state: state, condition: .known), now: t).utf8)) as? [String: Any]
        XCTAssertEqual(running?["last_night"] as? [String: Double], ["start": t - 600])

        state.night.finish(.failed, at: t - 60, maxAttempts: 3)
        let done = try JSONSerialization.jsonObject(
            with: Data(StatusJSON.render(LoadedState(state: state, condition: .known), now: t).utf8)) as? [String: Any]
        let night = try XCTUnwrap(done?["last_night"] as? [String: Any])
        XCTAssertEqual(night["start"] as? Double, t - 600)
        XCTAssertEqual(night["end"] as? Double, t - 60)
        XCTAssertEqual(night["result"] as? String, "failed")
        XCTAssertNil(try StatusJSON.render(LoadedState(state: NightShiftState(), condition: .known), now: t)
            .range(of: "last_night"), "no night yet: no last_night")
    }

    func testALoopStoppedDuringTheCountdownShowsNoNextCheck() {
        let t = now.timeIntervalSince1970
        var state = NightShiftState()
        var cycle = CycleState(start: t - 600, end: t - 590, nextCheck: nil, reason: "no watched host", result: "skipped")
        cycle.stoppedAt = t - 300
        cycle.stoppedBy = "interrupted by SIGTERM"
        state.lastCycle = cycle
        let text = StatusReport.render(LoadedState(state: state, condition: .known), now: now, timeZone: utc)
        XCTAssertTrue(text.contains("Next check: none, nightshift was stopped at 2025-01-10 11:55 (interrupted by SIGTERM)\n"), text)
        let json = (try? StatusJSON.render(LoadedState(state: state, condition: .known), now: t)) ?? ""
        XCTAssertTrue(json.contains("\"stopped_at\" : \(Int(t) - 300)") && json.contains("\"stopped_by\" : \"interrupted by SIGTERM\""), json)
    }

    func testAPlannedCheckWithNoDaemonHoldingTheStateSaysSo() {
        let t = now.timeIntervalSince1970
        var state = NightShiftState()
        state.lastCycle = CycleState(start: t - 600, end: t - 590, nextCheck: t + 1_800, result: "skipped")
        let loaded = LoadedState(state: state, condition: .known)
        let gone = StatusReport.render(loaded, now: now, timeZone: utc, daemonPID: nil, daemonLooked: true)
        XCTAssertTrue(gone.contains("Next check: 2025-01-10 12:30 (in 30m 00s), but no nightshift holds the state directory\n"), gone)
        let running = StatusReport.render(loaded, now: now, timeZone: utc, daemonPID: 4321, daemonLooked: true)
        XCTAssertTrue(running.contains("Next check: 2025-01-10 12:30 (in 30m 00s)\n"), running)
        let unlooked = StatusReport.render(loaded, now: now, timeZone: utc)
        XCTAssertTrue(unlooked.contains("Next check: 2025-01-10 12:30 (in 30m 00s)\n"), unlooked)
    }
}
