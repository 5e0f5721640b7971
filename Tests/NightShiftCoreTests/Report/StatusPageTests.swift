import Foundation
import XCTest
@testable import NightShiftCore

/// The status page renderer: the DESIGN v3 hooks carry the right states, everything that came
/// from a log, a tool or a host is escaped, and the page needs nothing from outside.
final class StatusPageTests: XCTestCase {
    let utc = ZoneRules.utc
    // 2025-01-10 12:00:00 UTC
    let t = 1_736_510_400.0
    let day = 86_400.0

    private func page(_ state: NightShiftState, history: [HistoryRecord] = [], jobs: [String] = [], hosts: [String] = [],
                      window: String? = nil, lastLine: String? = nil, condition: StateCondition = .known) -> String {
        StatusPage.render(StatusPageInput(
            site: "Office <Müller & Co>", loaded: LoadedState(state: state, condition: condition), history: history, now: t,
            timeZone: utc, forceWindow: window.flatMap { try? TimeWindow(parsing: $0) }, jobOrder: jobs, hostOrder: hosts,
            lastLogLine: lastLine))
    }

    /// The opening tag of the first element carrying `attribute`, e.g. `data-job="A"`.
    private func tag(_ html: String, _ attribute: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        guard let r = html.range(of: attribute) else {
            XCTFail("no element with \(attribute)", file: file, line: line)
            return ""
        }
        let start = html[..<r.lowerBound].lastIndex(of: "<")!
        let end = html[r.upperBound...].firstIndex(of: ">")!
        return String(html[start...end])
    }

    func testEveryJobStateHasItsHook() {
        var s = NightShiftState()
        s.recordJobStart("Good", at: t - 3_600); s.recordJobEnd("Good", at: t - 3_000, result: .ok, reason: "exit 0")
        s.recordJobStart("Warn", at: t - 3_000); s.recordJobEnd("Warn", at: t - 2_900, result: .warning, reason: "0 files copied")
        s.recordJobStart("Bad", at: t - 2_900); s.recordJobEnd("Bad", at: t - 2_800, result: .failed, reason: "exit 23")
        s.recordJobStart("Cut", at: t - 2_800); s.recordJobEnd("Cut", at: t - 2_700, result: .interrupted, reason: "interrupted by SIGTERM")
        s.recordJobStart("Old", at: t - 5 * day); s.recordJobEnd("Old", at: t - 5 * day + 60, result: .ok, reason: "exit 0")
        s.jobs["Old"]?.maxAge = 2 * day
        s.jobs["New"] = JobState()
        let html = page(s, jobs: ["Good", "Warn", "Bad", "Cut", "Old", "New"])
        XCTAssertTrue(tag(html, "data-job=\"Good\"").contains("data-state=\"ok\""))
        XCTAssertTrue(tag(html, "data-job=\"Warn\"").contains("data-state=\"warning\""))
        XCTAssertTrue(tag(html, "data-job=\"Bad\"").contains("data-state=\"failed\""))
        XCTAssertTrue(tag(html, "data-job=\"Cut\"").contains("data-state=\"failed\""), "an interrupted run backed nothing up")
        XCTAssertTrue(tag(html, "data-job=\"Old\"").contains("data-state=\"stale\""))
        XCTAssertTrue(tag(html, "data-job=\"New\"").contains("data-state=\"never\""))
        // The state is a word in the row, not only a colour.
        XCTAssertTrue(html.contains("<span class=\"badge s-stale\">stale</span>"), html)
        XCTAssertTrue(tag(html, "id=\"verdict\"").contains("data-state=\"failed\""))
        XCTAssertTrue(html.contains("2 jobs failed: Bad (exit 23); Cut (interrupted by SIGTERM)"), html)
        XCTAssertFalse(html.contains("http-equiv=\"refresh\""), "a page with no night running must not reload")
    }

    func testMarkupFromLogsToolsAndHostsIsText() {
        var s = NightShiftState()
        let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>\" onmouseover=\"alert(3)"
        s.recordJobStart("Copy", at: t - 600)
        s.recordJobEnd("Copy", at: t - 500, result: .failed, reason: hostile)
        s.hosts["<b>pc</b>"] = HostState(up: true, since: t - 60, lastSeen: t - 60, lastSweep: t - 60)
        let history: [HistoryRecord] = [
            .cycle(CycleRecord(start: t - 700, end: t - 400, ran: true, decision: hostile, reason: "Copy: " + hostile,
                               result: "failed", sleep: "busy: smb: " + hostile)),
        ]
        let html = page(s, history: history, jobs: ["Copy"], lastLine: hostile)
        XCTAssertFalse(html.contains("<img"), html)
        XCTAssertFalse(html.contains("<script"), html)
        XCTAssertFalse(html.contains("<b>pc"), html)
        XCTAssertFalse(html.contains("\" onmouseover"), "a quote must not end an attribute: \(html)")
        XCTAssertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot; onmouseover=&quot;alert(3)"), html)
        XCTAssertTrue(html.contains("data-host=\"&lt;b&gt;pc&lt;/b&gt;\""), html)
        XCTAssertTrue(html.contains("<title>Office &lt;Müller &amp; Co&gt; - NightShift</title>"), html)
    }

    func testThePageNeedsNothingFromOutside() {
        var s = NightShiftState()
        s.recordJobStart("Copy", at: t - 600); s.recordJobEnd("Copy", at: t - 500, result: .ok, reason: "exit 0")
        s.hosts["PC"] = HostState(up: false, since: t - 60, lastSeen: t - 600, lastSweep: t - 60)
        let html = page(s, jobs: ["Copy"])
        for outside in ["http://", "https://", "src=", "href=", "@import", "url(", "<script", "<link"] {
            XCTAssertFalse(html.lowercased().contains(outside), "the page refers to \(outside)")
        }
        XCTAssertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), html)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(html.contains("name=\"viewport\" content=\"width=device-width"))
        for heading in ["<h1>", "<h2 id=\"jobs-h\">", "<h2 id=\"nights-h\">", "<h2 id=\"hosts-h\">", "<h2 id=\"why-h\">", "<h2 id=\"next-h\">"] {
            XCTAssertTrue(html.contains(heading), "no \(heading)")
        }
        XCTAssertTrue(html.contains("<th scope=\"col\">Job</th>") && html.contains("<th scope=\"row\" data-label=\"Job\">Copy</th>"))
    }

    func testARunningNightShowsItsJobAndReloads() {
        var s = NightShiftState()
        s.night.start(RunningNight(start: t - 900))
        s.recordJobStart("First", at: t - 900); s.recordJobEnd("First", at: t - 600, result: .ok, reason: "exit 0")
        s.recordJobStart("Second", at: t - 600)
        let html = page(s, jobs: ["First", "Second", "Third"], lastLine: "12:00:01 sending incremental file list")
        XCTAssertTrue(html.contains("<meta http-equiv=\"refresh\" content=\"30\">"), html)
        XCTAssertTrue(tag(html, "data-job=\"Second\"").contains("data-state=\"running\""))
        XCTAssertTrue(tag(html, "id=\"verdict\"").contains("data-state=\"running\""))
        XCTAssertTrue(html.contains("A backup is running: job 2 of 3 (Second), since 11:45"), html)
        XCTAssertTrue(html.contains("<section id=\"running\""), html)
        XCTAssertTrue(html.contains("<code>12:00:01 sending incremental file list</code>"), html)
        XCTAssertTrue(html.contains("running for 10m"), html)
    }

    func testHostsAreOnlineOfflineOrUnknown() {
        var s = NightShiftState()
        s.hosts["Up"] = HostState(up: true, since: t - 60, lastSeen: t - 60, lastSweep: t - 60)
        s.hosts["Down"] = HostState(up: false, since: t - 3_600, lastSeen: t - 7_200, lastSweep: t - 60)
        s.hosts["Never"] = HostState()
        let html = page(s, hosts: ["Up", "Down", "Never"])
        XCTAssertTrue(tag(html, "data-host=\"Up\"").contains("data-state=\"online\""))
        XCTAssertTrue(tag(html, "data-host=\"Down\"").contains("data-state=\"offline\""))
        XCTAssertTrue(tag(html, "data-host=\"Never\"").contains("data-state=\"unknown\""), "never probed is not offline")
        XCTAssertTrue(html.contains("not swept yet"), html)
    }

    func testAProbeThatCouldNotBeMadeIsUnknownWithItsReason() {
        var s = NightShiftState()
        s.hosts["PC"] = HostState(up: true, since: t - 600, lastSeen: t - 600, lastSweep: t - 600)
        s.recordProbeNotes(["PC": ProbeNote(text: "cannot tell: sendto: Operation not permitted", unknown: true),
                            "NAS2": ProbeNote(text: "answered (icmp, 0.4 ms, 10.0.0.2)", unknown: false)])
        s.hosts["NAS2"]?.up = true
        let html = page(s, hosts: ["PC", "NAS2"])
        XCTAssertTrue(tag(html, "data-host=\"PC\"").contains("data-state=\"unknown\""), "an unknown probe is not its last state")
        XCTAssertTrue(html.contains("cannot tell: sendto: Operation not permitted</td>"), html)
        XCTAssertTrue(html.contains("answered (icmp, 0.4 ms, 10.0.0.2)"), html)
    }

    func testThirtyNightsWithTheirDecisions() {
        let s = NightShiftState()
        let history: [HistoryRecord] = [
            // 5 days ago: the first record; nothing ran that day.
            .cycle(CycleRecord(start: t - 5 * day, end: t - 5 * day + 5, ran: false, decision: "Work3 online", result: "skipped")),
            .cycle(CycleRecord(start: t - 2 * day, end: t - 2 * day + 60, ran: true, decision: "all watched hosts offline",
                               reason: "Copy: exit 23", result: "failed")),
            .cycle(CycleRecord(start: t - day, end: t - day + 60, ran: true, decision: "force window 03:00-05:00", result: "ok")),
        ]
        let html = page(s, history: history)
        XCTAssertEqual(html.components(separatedBy: "<li data-day=").count - 1, 30)
        XCTAssertTrue(html.contains("<li data-day=\"2025-01-10\" data-result=\"none\""), "today is still open")
        XCTAssertTrue(tag(html, "data-day=\"2025-01-09\"").contains("data-result=\"ok\""))
        XCTAssertTrue(tag(html, "data-day=\"2025-01-08\"").contains("data-result=\"failed\""))
        XCTAssertTrue(tag(html, "data-day=\"2025-01-08\"").contains("title=\"2025-01-08: 12:00 backed up: all watched hosts offline - Copy: exit 23\""))
        XCTAssertTrue(tag(html, "data-day=\"2025-01-07\"").contains("data-result=\"missed\""))
        XCTAssertTrue(tag(html, "data-day=\"2025-01-05\"").contains("data-result=\"missed\""))
        XCTAssertTrue(tag(html, "data-day=\"2025-01-05\"").contains("Work3 online"))
        XCTAssertTrue(tag(html, "data-day=\"2025-01-04\"").contains("data-result=\"none\""), "before the first record")
        XCTAssertTrue(tag(html, "data-day=\"2024-12-12\"").contains("data-result=\"none\""), "the oldest of 30 days")
    }

    func testWhyListsDecisionsNewestFirstAndWhatKeptThisMachineAwake() {
        var s = NightShiftState()
        s.sleepPending = t - 600
        var history: [HistoryRecord] = []
        for i in 0..<3 {
            history.append(.cycle(CycleRecord(start: t - 10_000 + Double(i) * 600, end: t - 10_000 + Double(i) * 600 + 1,
                                              ran: false, decision: "Work3 online", result: "skipped")))
        }
        history.append(.cycle(CycleRecord(start: t - 3_600, end: t - 1_800, ran: true, decision: "all watched hosts offline",
                                          result: "ok", sleep: "busy: smb: 1 SMB session alice@192.168.1.20, 1 open file")))
        let html = page(s, history: history)
        let why = html[html.range(of: "<ol id=\"why\">")!.upperBound...]
        let night = why.range(of: "backed up - all watched hosts offline; result: ok; this machine stayed awake: busy: smb: 1 SMB session alice@192.168.1.20, 1 open file")
        let repeated = why.range(of: "2025-01-10 09:13 to 09:33 (3 checks): no backup - Work3 online")
        XCTAssertNotNil(night, html)
        XCTAssertNotNil(repeated, "a repeated decision is one entry: \(html)")
        if let night, let repeated { XCTAssertLessThan(night.lowerBound, repeated.lowerBound, "newest first") }
        XCTAssertTrue(html.contains("This machine is kept awake since 2025-01-10 11:50"), html)
    }

    func testNextShowsCheckWindowAndAlarm() {
        var s = NightShiftState()
        s.lastCycle = CycleState(start: t - 60, end: t - 50, nextCheck: t + 3_600)
        s.selfWake = t + 14 * 3_600
        let html = page(s, window: "03:00-05:00")
        XCTAssertTrue(html.contains("<dt>Next check</dt><dd>2025-01-10 13:00 (in 1h 00m)</dd>"), html)
        XCTAssertTrue(html.contains("<dt>Next force window</dt><dd>2025-01-11 03:00 (03:00-05:00, in 15h 00m)</dd>"), html)
        XCTAssertTrue(html.contains("<dt>Wake alarm</dt><dd>2025-01-11 02:00 (in 14h 00m)</dd>"), html)
    }

    func testSparklineAndCopiedCountsComeFromTheJobsRuns() {
        var s = NightShiftState()
        s.recordJobStart("Copy", at: t - day); s.recordJobEnd("Copy", at: t - day + 120, result: .ok, reason: "exit 0")
        let history: [HistoryRecord] = [
            .job(JobRecord(name: "Copy", start: t - 2 * day, end: t - 2 * day + 60, result: .failed, reason: "exit 23")),
            .job(JobRecord(name: "Copy", start: t - day, end: t - day + 120, result: .ok, files: 1_234, bytes: 1_288_490_189)),
        ]
        let html = page(s, history: history, jobs: ["Copy"])
        XCTAssertTrue(html.contains("1234 files, 1.2 GiB"), html)
        XCTAssertTrue(html.contains("aria-label=\"last 30 nights: 1 ok, 1 failed, 28 none\""), html)
        XCTAssertTrue(html.contains("<title>2025-01-08: failed, 1m 00s</title>"), html)
    }

    func testTheLastLogLineIsReadFromTheEnd() throws {
        let path = NSTemporaryDirectory() + "statuspage-\(getpid()).log"
        defer { unlink(path) }
        let body = String(repeating: "x", count: 20_000) + "\nfirst\nlast line\n\n"
        try body.write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(StatusPage.lastLine(ofLog: path), "last line")
        XCTAssertNil(StatusPage.lastLine(ofLog: path + ".missing"))
    }

    func testThePageFileIsWorldReadableAndNeverWrittenThroughASymlink() throws {
        let dir = NSTemporaryDirectory() + "statuspage-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = umask(0o077)
        defer { umask(old) }
        let target = StatusPageTarget(path: dir + "/www/index.html", site: "Office")
        try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
        try StatusPage.write(target, stateDir: dir + "/state", now: t)
        let attributes = try FileManager.default.attributesOfItem(atPath: target.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o644)
        XCTAssertTrue(try String(contentsOfFile: target.path, encoding: .utf8).contains("<title>Office - NightShift</title>"))

        try FileManager.default.removeItem(atPath: target.path)
        try "secret".write(toFile: dir + "/elsewhere", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: target.path, withDestinationPath: dir + "/elsewhere")
        XCTAssertThrowsError(try StatusPage.write(target, stateDir: dir + "/state", now: t))
        XCTAssertEqual(try String(contentsOfFile: dir + "/elsewhere", encoding: .utf8), "secret")
    }
}
