import Foundation
import NightShiftCore
@testable import NightShiftScripting
import XCTest

/// Whole cycles against hosts in a private namespace (see CycleFixture).
final class CycleTests: XCTestCase {
    private func copyJob(_ name: String, source: String, target: String, after: String = "suspend", extra: String = "") -> (String, String) -> String {
        { dir, _ in
            """
            job "\(name)" { source = "\(source)", target = "\(target)", after = "\(after)", time_sync = "none",
              run = {"sh", "-c", "echo \(name) >> \(dir)/copies.log"}\(extra) }

            """
        }
    }

    private func copies(_ c: CycleFixture) -> [String] {
        ((try? String(contentsOfFile: c.dir + "/copies.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func testAllOfflineRunsTheBackupSwitchesTheTargetOffAndSleeps() throws {
        let c = try CycleFixture(testCase: self)
        let script = c.header() + c.sleeper("B1", 1) + "host \"W1\" { ip = \"10.200.0.50\" }\n"
            + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let outcome = try c.cycle(script)
        XCTAssertEqual(outcome.code, 0)
        XCTAssertTrue(outcome.ran)
        XCTAssertEqual(copies(c), ["Copy"])
        XCTAssertEqual(c.actions, ["suspend B1", "hibernate Nas"], c.f.logText)
        XCTAssertEqual(c.nic.seen.first, "02:00:00:00:00:01", "a real magic packet for B1's MAC")
        let jobs = try c.state()["jobs"] as? [String: Any]
        XCTAssertEqual((jobs?["Copy"] as? [String: Any])?["result"] as? String, "ok")
    }

    func testAWatchedHostOnlineMeansNoBackup() throws {
        let c = try CycleFixture(testCase: self)
        let script = c.header() + c.sleeper("B1", 2) + "host \"W1\" { ip = \"127.0.0.5\" }\n"
            + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let outcome = try c.cycle(script)
        XCTAssertFalse(outcome.ran)
        XCTAssertTrue(outcome.reason.contains("W1"), outcome.reason)
        XCTAssertEqual(copies(c), [])
        XCTAssertEqual(c.actions, [])
        XCTAssertEqual(c.nic.seen, [], "nobody is woken when no backup runs")
    }

    func testATargetThatWasUpIsNeverSwitchedOff() throws {
        let c = try CycleFixture(testCase: self)
        // B1 answers at the sweep (someone is using it); the manual run backs up anyway.
        let script = c.header() + """
            host "B1" { ip = "127.0.0.3", mac = "02:00:00:00:00:03", broadcast = "127.0.0.1", wol_port = \(c.nic.port),
              actions = { suspend = {"sh", "\(c.dir)/power.sh", "suspend", "{name}", "{ip}"} } }

            """ + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let outcome = try c.cycle(script, manual: true)
        XCTAssertEqual(outcome.code, 0)
        XCTAssertEqual(copies(c), ["Copy"])
        XCTAssertEqual(c.actions, [], "neither B1 nor the NAS (B1 is online) may be switched off")
        XCTAssertTrue(c.f.logText.contains("Leaving B1 on: it was up at the sweep before the night"), c.f.logText)
        XCTAssertTrue(c.f.logText.contains("Not going to hibernate: B1 online"), c.f.logText)
        XCTAssertEqual(c.nic.seen, [], "a host that is up is not woken")
    }

    func testASourceThatNeverWakesFailsItsJobFiresFailureAndTheNextJobRuns() throws {
        let c = try CycleFixture(testCase: self)
        c.nic.refuse = ["02:00:00:00:00:04"]
        let script = c.header() + c.sleeper("B2", 4) + c.sleeper("B1", 5)
            + copyJob("First", source: "B2", target: "B1", after: "shutdown")(c.dir, "")
            + copyJob("Second", source: "Nas", target: "B1")(c.dir, "")
            + "on(\"failure\", ns.report.copy_log(\"\(c.dir)/share\"))\n"
        let outcome = try c.cycle(script)
        XCTAssertEqual(outcome.code, 1)
        XCTAssertEqual(copies(c), ["Second"])
        let report = try String(contentsOfFile: c.dir + "/share/Backup Job First failed.txt", encoding: .utf8)
        XCTAssertTrue(report.contains("B2 did not come up within the wake timeout"), report)
        // The admin is told where to look, and nothing is run on a host that never answered.
        XCTAssertTrue(c.f.logText.contains("hint: check B2's MAC (02:00:00:00:00:04), that Wake-on-LAN is enabled"), c.f.logText)
        XCTAssertFalse(c.f.logText.contains("nightshift/night.lua"), "a reason names a library path:\n\(c.f.logText)")
        // B1 stays on after the failed first job (the second needs it), then gets the second job's action.
        XCTAssertEqual(c.actions, ["suspend B1", "hibernate Nas"], c.f.logText)
        let jobs = try c.state()["jobs"] as? [String: Any]
        XCTAssertEqual((jobs?["First"] as? [String: Any])?["result"] as? String, "failed")
        XCTAssertEqual((jobs?["Second"] as? [String: Any])?["result"] as? String, "ok")
    }

    func testInUseKeepsTheTargetOn() throws {
        let c = try CycleFixture(testCase: self)
        let script = c.header() + c.sleeper("B1", 6, extra: ", user = \"u\"")
            .replacingOccurrences(of: "actions = {", with: "actions = { in_use = {\"true\"},")
            + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        _ = try c.cycle(script)
        XCTAssertEqual(copies(c), ["Copy"])
        XCTAssertFalse(c.actions.contains("suspend B1"), "\(c.actions)")
        XCTAssertTrue(c.f.logText.contains("Leaving B1 on: its in_use check reports a user"), c.f.logText)
    }

    func testTheForceWindowRunsOncePerWindowEvenAfterARestart() throws {
        let c = try CycleFixture(testCase: self)
        let now = Date()
        let cal = Calendar.current
        let h = cal.component(.hour, from: now), m = cal.component(.minute, from: now)
        let start = (h * 60 + m + 1440 - 30) % 1440, end = (h * 60 + m + 30) % 1440
        let window = String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60)
        let script = c.header(", force_window = \"\(window)\"") + c.sleeper("B1", 7)
            + "host \"W1\" { ip = \"127.0.0.9\" }\n" + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let first = try c.cycle(script)
        XCTAssertTrue(first.ran, first.reason)
        XCTAssertTrue(first.reason.contains("force window"), first.reason)
        let second = try c.cycle(script)   // a fresh runtime: like the next cycle or a restart
        XCTAssertFalse(second.ran, second.reason)
        XCTAssertEqual(copies(c), ["Copy"])
        XCTAssertFalse(c.actions.contains("hibernate Nas"), "W1 is online: the NAS stays awake")
    }

    func testDryRunProbesButSendsNoMagicPacketRunsNothingAndWritesNoState() throws {
        let c = try CycleFixture(testCase: self)
        let script = c.header() + c.sleeper("B1", 8) + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let path = try c.f.write("site.lua", script)
        let rt = try c.f.runtime(.init(dryRun: true))
        try rt.loadSite(path: path, source: Array(script.utf8))
        let outcome = try rt.cycle(manual: false)
        XCTAssertTrue(outcome.ran)
        XCTAssertEqual(try c.nic.seenBeforeMarker(), [], "no magic packet under --dry-run")
        XCTAssertEqual(copies(c), [])
        XCTAssertEqual(c.actions, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: c.dir + "/state/state.json"), "--dry-run touches no state")
        let log = c.f.logText
        for expected in ["10.200.0.8       offline", "B1 is down: would wake it", "DRY-RUN would send 3 magic packet(s) for 02:00:00:00:00:08 to 127.0.0.1:\(c.nic.port)",
                         "DRY-RUN would run: sh -c", "Switching B1 off (suspend)", "DRY-RUN would run: sh \(c.dir)/power.sh suspend B1 10.200.0.8",
                         "DRY-RUN would run: sh \(c.dir)/power.sh hibernate Nas"] {
            XCTAssertTrue(log.contains(expected), "missing \(expected) in\n\(log)")
        }
    }

    func testExitCodesMapToOkWarningFailed() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.executeWithCore("""
            local function c(job, code) return (core.classify(job, {code = code, seconds = 1})) end
            local rsync, ffs = {run = {"/usr/bin/rsync", "-a"}}, {run = {"FreeFileSync", "x.ffs_batch"}}
            local own = {run = {"tool"}, exit_codes = {ok = {0, 2}, warning = {5}}}
            return c(rsync, 0), c(rsync, 23), c(rsync, 24), c(rsync, 12), c(ffs, 1), c(ffs, 2), c(ffs, 3),
                   c(own, 2), c(own, 5), c(own, 1), c({run = "make backup"}, 0)
            """)
        XCTAssertEqual(r, ["ok", "warning", "warning", "failed", "warning", "failed", "failed", "ok", "warning", "failed", "ok"])
    }

    func testMinIntervalKeepsAnAwakeNasFromBackingUpEveryCheck() throws {
        let c = try CycleFixture(testCase: self)
        let script = c.header(", min_interval = \"12h\"").replacingOccurrences(of: "self_sleep = \"hibernate\"", with: "self_sleep = \"none\"")
            + c.sleeper("B1", 9) + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        XCTAssertTrue(try c.cycle(script).ran)
        let second = try c.cycle(script)
        XCTAssertFalse(second.ran)
        XCTAssertTrue(second.reason.contains("min_interval 12h"), second.reason)
        XCTAssertTrue(try c.cycle(script, manual: true).ran, "a manual run ignores min_interval")
        XCTAssertEqual(copies(c), ["Copy", "Copy"])
    }

    /// As a SIGTERM mid-night leaves it, hours ago: B1 on, and the state says NightShift woke it.
    private func leftOnByAnInterruptedNight(_ c: CycleFixture, n: Int, hoursAgo: Double) throws {
        let ip = "10.200.0.\(n)"
        try CycleFixture.sh("ip addr add \(ip)/32 dev lo")
        c.nic.register(mac: String(format: "02:00:00:00:00:%02x", n), ip: ip)
        let woken = Date().timeIntervalSince1970 - hoursAgo * 3_600
        var state = NightShiftState()
        state.hosts["B1"] = HostState(up: true, since: woken, wokenAt: woken)
        try StateStore(directory: c.dir + "/state").save(state)
    }

    func testAHostAnInterruptedNightWokeThatAnswersAtTheSweepIsNeverSwitchedOff() throws {
        let c = try CycleFixture(testCase: self)
        try leftOnByAnInterruptedNight(c, n: 10, hoursAgo: 6)
        let script = c.header() + c.sleeper("B1", 10) + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let outcome = try c.cycle(script)
        XCTAssertTrue(outcome.ran, outcome.reason)
        XCTAssertEqual(copies(c), ["Copy"])
        XCTAssertFalse(c.actions.contains("suspend B1"), "B1 answered at the sweep: \(c.actions)\n\(c.f.logText)")
        XCTAssertTrue(c.f.logText.contains("Leaving B1 on: it was up at the sweep before the night"), c.f.logText)
        XCTAssertEqual(c.nic.seen, [], "a host that answers is not woken")
        let hosts = try c.state()["hosts"] as? [String: Any]
        XCTAssertNil((hosts?["B1"] as? [String: Any])?["woken_at"], "a finished night forgets the wake-up")
    }

    func testAHostAnInterruptedNightWokeIsSwitchedOffWhenItsInUseCheckSaysNobody() throws {
        let c = try CycleFixture(testCase: self)
        try leftOnByAnInterruptedNight(c, n: 13, hoursAgo: 6)
        let script = c.header() + c.sleeper("B1", 13)
            .replacingOccurrences(of: "actions = {", with: "actions = { in_use = {\"sh\", \"-c\", \"exit 1\"},")
            + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let outcome = try c.cycle(script)
        XCTAssertTrue(outcome.ran, outcome.reason)
        XCTAssertEqual(c.actions.first, "suspend B1", c.f.logText)
        XCTAssertTrue(c.f.logText.contains("its in_use check says nobody uses it"), c.f.logText)
    }

    func testAFinishedNightForgetsItsWakeUpsSoAHostLeftOnCountsAsInUse() throws {
        let c = try CycleFixture(testCase: self)
        let first = c.header() + c.sleeper("B1", 11) + copyJob("Copy", source: "Nas", target: "B1", after: "none")(c.dir, "")
        XCTAssertTrue(try c.cycle(first).ran)
        // B1 was left on on purpose (after = "none"): next cycle it is somebody's machine.
        let second = c.header() + c.sleeper("B1", 11) + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let outcome = try c.cycle(second)
        XCTAssertFalse(outcome.ran, outcome.reason)
        XCTAssertEqual(c.actions, [])
    }

    func testAHostThatCannotBeProbedIsUnknownNotOffline() throws {
        let c = try CycleFixture(testCase: self)
        // W1's `via` is not an address of this machine: it cannot be probed at all.
        let script = c.header() + c.sleeper("B1", 12) + "host \"W1\" { ip = \"127.0.0.7\", via = \"10.200.9.9\" }\n"
            + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let outcome = try c.cycle(script)
        XCTAssertFalse(outcome.ran, "an unknown host must block the trigger: \(outcome.reason)")
        XCTAssertTrue(c.f.logText.contains("cannot tell whether W1 is online: cannot probe"), c.f.logText)
        let manual = try c.cycle(script, manual: true)
        XCTAssertTrue(manual.ran)
        XCTAssertFalse(c.actions.contains("hibernate Nas"), "never sleep while a watched host is unknown: \(c.actions)")
    }

    func testWakeWithTheScriptWakesAHostAsTheNightWould() throws {
        let c = try CycleFixture(testCase: self)
        let script = c.header() + c.sleeper("B1", 21) + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let path = try c.f.write("site.lua", script)
        let result = try NightShiftBinary.run(["wake", "--script", path, "B1"])
        XCTAssertEqual(result.status, 0, result.output)
        // The magic packet went where the night sends it (the host's broadcast and port), for its MAC.
        XCTAssertTrue(eventually(within: 5) { c.nic.seen.contains("02:00:00:00:00:15") }, "seen: \(c.nic.seen); \(result.output)")
    }
    func testEverySweepRecordsTheLocalHoursEachHostWasSeenUpAndAnUnknownOneCountsNeither() throws {
        let c = try CycleFixture(testCase: self)
        // W1 answers, B1 is off, W2 cannot be probed at all (its `via` is not ours): unknown.
        let script = c.header() + c.sleeper("B1", 30) + "host \"W1\" { ip = \"127.0.0.5\" }\n"
            + "host \"W2\" { ip = \"127.0.0.7\", via = \"10.200.9.9\" }\n"
            + copyJob("Copy", source: "Nas", target: "B1")(c.dir, "")
        let path = try c.f.write("site.lua", script)
        // The cycles run on an injected clock: evenings of two days in this machine's time zone.
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .current
        func local(_ day: Int, _ hour: Int) throws -> Double {
            try XCTUnwrap(cal.date(from: DateComponents(year: 2025, month: 6, day: day, hour: hour, minute: 30))).timeIntervalSince1970
        }
        let clock = FakeWallClock()
        for time in [try local(2, 21), try local(2, 22), try local(3, 21)] {
            clock.set(time)
            let context = ScriptContext(log: c.f.log, options: ScriptOptions(), now: { clock.now })
            context.stateDirectory = c.dir + "/state"
            let rt = try ScriptRuntime(context: context)
            try rt.loadSite(path: path, source: Array(script.utf8))
            let outcome = try rt.cycle(manual: false)
            XCTAssertFalse(outcome.ran, outcome.reason)
        }
        let hosts = try XCTUnwrap(try c.state()["hosts"] as? [String: [String: Any]])
        func days(_ name: String) -> [[String: String]] { hosts[name]?["presence"] as? [[String: String]] ?? [] }
        let evening = String(repeating: "-", count: 21)
        XCTAssertEqual(days("W1"), [["day": "2025-06-02", "hours": evening + "##-"], ["day": "2025-06-03", "hours": evening + "#--"]],
                       "\(hosts)")
        XCTAssertEqual(days("B1"), [["day": "2025-06-02", "hours": evening + "..-"], ["day": "2025-06-03", "hours": evening + ".--"]])
        XCTAssertEqual(days("W2"), [], "an unknown sweep counts neither as up nor as down: \(hosts["W2"] ?? [:])")
        XCTAssertEqual(hosts["W1"]?["last_seen"] as? Double, try local(3, 21))
    }
}

/// A wall clock a test sets by hand (`ScriptContext.now`).
final class FakeWallClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0.0
    var now: Double { lock.withLock { value } }
    func set(_ t: Double) { lock.withLock { value = t } }
}
