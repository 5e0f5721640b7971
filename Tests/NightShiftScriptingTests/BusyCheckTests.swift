import Foundation
import NightShiftCore
import NightShiftScripting
import XCTest

/// settings.busy: any busy or failing check keeps this machine awake and the log names it;
/// a service that is not here (program missing, daemon not running) is not busy.
final class BusyCheckTests: XCTestCase {
    static let smbSession = """
        cat <<'OUT'
        Samba version 4.17.12-Debian
        PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing
        ----------------------------------------------------------------------------------------------------------------------------------------
        4242    alice        alice        192.168.1.20 (ipv4:192.168.1.20:51234)    SMB3_11           -                    partial(AES-128-CMAC)

        Service      pid     Machine       Connected at                     Encryption   Signing
        ---------------------------------------------------------------------------------------------
        share        4242    192.168.1.20  Mon Jan  1 10:00:00 2024 CET     -            -

        Locked files:
        Pid          User(ID)   DenyMode   Access      R/W        Oplock           SharePath           Name   Time
        --------------------------------------------------------------------------------------------------
        4242         1000       DENY_NONE  0x120089    RDONLY     LEASE(RWH)       /srv/share   report.odt   Mon Jan  1 10:00:05 2024
        OUT
        """

    static let smbIdle = """
        cat <<'OUT'
        Samba version 4.17.12-Debian
        PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing
        ----------------------------------------------------------------------------------------------------------------------------------------

        Service      pid     Machine       Connected at                     Encryption   Signing
        ---------------------------------------------------------------------------------------------

        No locked files
        OUT
        """

    func testAnOpenSMBSessionKeepsTheMachineAwakeUntilItCloses() throws {
        let b = try BusyFixture()
        try b.fake("smbstatus", Self.smbSession)
        let first = try b.cycle(b.script())
        XCTAssertEqual(first.code, 0)
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("Not going to suspend: this machine is busy: smb: 1 SMB session (alice@192.168.1.20), 1 open file"), b.f.logText)

        try b.fake("smbstatus", Self.smbIdle)
        try b.cycle(b.script())
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
    }

    /// Samba 4.17.12's tables, as a real smbd printed them (SambaStatusTests has its JSON):
    /// read when smbstatus has no --json (before 4.16, or built without jansson).
    static let smbTablesOnly = """
        case "$*" in *--json*) echo 'smbstatus: unknown option --json' >&2; exit 1 ;; esac
        cat <<'OUT'

        Samba version 4.17.12-Debian
        PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing              
        ----------------------------------------------------------------------------------------------------------------------------------------
        20203   nobody       nogroup      127.0.0.1 (ipv4:127.0.0.1:34924)          SMB3_11           -                    -                    

        Service      pid     Machine       Connected at                     Encryption   Signing     
        ---------------------------------------------------------------------------------------------
        share        20203   127.0.0.1     Wed Dec  2 04:42:15 2026 UTC     -            -           


        Locked files:
        Pid          User(ID)   DenyMode   Access      R/W        Oplock           SharePath   Name   Time
        --------------------------------------------------------------------------------------------------
        20203        65534      DENY_NONE  0x120089    RDONLY     NONE             /tmp/smbx/share   big.bin   Wed Dec  2 04:42:15 2026

        OUT
        """

    func testTheTablesOfARealSamba417AreReadWithoutJSON() throws {
        let b = try BusyFixture()
        try b.fake("smbstatus", Self.smbTablesOnly)
        try b.cycle(b.script("busy = {\"smb\"}"))
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("smb: 1 SMB session (nobody@127.0.0.1), 1 open file (/tmp/smbx/share/big.bin)"), b.f.logText)
    }

    func testSmbstatusJSONIsReadWithTheConfigGiven() throws {
        let b = try BusyFixture()
        // Trimmed from Samba 4.17.12's JSON (SambaStatusTests has it whole): two sessions of one user.
        try b.fake("smbstatus", """
            echo "$*" >> \(b.dir)/smbstatus.args
            cat <<'OUT'
            {"version": "4.17.12-Debian", "sessions": {"2": {"username": "alice", "remote_machine": "10.0.0.20", "session_dialect": "SMB3_11"},
             "1": {"username": "alice", "remote_machine": "10.0.0.20", "session_dialect": "SMB3_11"}},
             "tcons": {"7": {"service": "daten"}}, "open_files": {}}
            OUT
            """)
        try b.cycle(b.script("busy = { nightshift.busy.smb{ config = \"/srv/samba/smb.conf\" } }"))
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("smb: 2 SMB sessions (alice@10.0.0.20), 0 open files"), b.f.logText)
        let args = try String(contentsOfFile: b.dir + "/smbstatus.args", encoding: .utf8)
        XCTAssertEqual(args, "--configfile=/srv/samba/smb.conf --json\n", "JSON answered: no second run")

        try b.fake("smbstatus", "echo '{\"sessions\": {}, \"tcons\": {}}'")
        try b.cycle(b.script("busy = { nightshift.busy.smb{ config = \"/srv/samba/smb.conf\" } }"))
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
    }

    func testTheSleepABusyCheckHeldBackIsTriedAgainAtTheNextCheck() throws {
        let b = try BusyFixture()
        // Automatic cycles: the first backs up; min_interval (12h) makes the next ones skip.
        try b.fake("smbstatus", Self.smbSession)
        let night = try b.cycle(b.script(), manual: false)
        XCTAssertTrue(night.ran, b.f.logText)
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        let stillOpen = try b.cycle(b.script(), manual: false)
        XCTAssertFalse(stillOpen.ran, b.f.logText)
        XCTAssertEqual(b.sleeps, 0, "the session is still open: " + b.f.logText)
        XCTAssertTrue(b.f.logText.contains("Sleep pending since"), b.f.logText)

        try b.fake("smbstatus", Self.smbIdle)
        let closed = try b.cycle(b.script(), manual: false)
        XCTAssertFalse(closed.ran, b.f.logText)
        XCTAssertEqual(b.sleeps, 1, "the session closed: the next check sleeps. " + b.f.logText)
        try b.cycle(b.script(), manual: false)
        XCTAssertEqual(b.sleeps, 1, "slept once: nothing pending any more. " + b.f.logText)
    }

    func testAPendingSleepShowsInStatus() throws {
        let b = try BusyFixture()
        try b.fake("smbstatus", Self.smbSession)
        try b.cycle(b.script(), manual: false)
        let state = try String(contentsOfFile: b.dir + "/state/state.json", encoding: .utf8)
        XCTAssertTrue(state.contains("\"sleep_pending\""), state)
        let report = StatusReport.render(try StateStore(directory: b.dir + "/state").load(quarantine: false))
        XCTAssertTrue(report.contains("Sleep pending since"), report)
    }

    func testMissingProgramsAreNotBusy() throws {
        let b = try BusyFixture() // bin/ is empty: no smbstatus, ss, loginctl, who, systemd-inhibit
        try b.cycle(b.script())
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
    }

    func testFailingSmbstatusWithoutSmbdIsNotBusy() throws {
        // The check looks for smbd in every process of the machine (/proc), so a real one
        // elsewhere (a lab night's smbd running beside this suite) would make it busy.
        guard eventually(within: 15, { !ActivityCounters.processNames().values.contains("smbd") }) else {
            throw XCTSkip("an smbd runs on this machine (another test's or a real one): this case needs none")
        }
        let b = try BusyFixture()
        try b.fake("smbstatus", "echo 'Failed to open sessionid.tdb' >&2; exit 1")
        try b.cycle(b.script("busy = {\"smb\"}"))
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
    }

    func testFailingSmbstatusWhileSmbdRunsCountsAsBusy() throws {
        let b = try BusyFixture()
        try b.fake("smbstatus", "echo 'tdb is locked' >&2; exit 1")
        // A process whose name (comm) is smbd: a copy of sleep.
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: b.dir + "/smbd")
        let smbd = Process()
        smbd.executableURL = URL(fileURLWithPath: b.dir + "/smbd")
        smbd.arguments = ["60"]
        try smbd.run()
        defer { smbd.terminate(); smbd.waitUntilExit() }
        XCTAssertTrue(eventually(within: 10) { ActivityCounters.processNames().values.contains("smbd") })
        try b.cycle(b.script("busy = {\"smb\"}"))
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("smb: the check failed: smbstatus failed (exit 1): tdb is locked"), b.f.logText)
    }

    func testLoginsFromWhoKeepTheMachineAwake() throws {
        let b = try BusyFixture()
        try b.fake("who", "echo 'alice    pts/0        2024-01-01 10:00 (192.168.1.20)'")
        try b.fake("loginctl", "exit 1") // logind not answering: `who` decides
        try b.cycle(b.script("busy = {\"logins\"}"))
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("logins: 1 login (alice)"), b.f.logText)
    }

    func testASiteCheckThatRaisesCountsAsBusy() throws {
        let b = try BusyFixture()
        try b.cycle(b.script("busy = { function() error(\"cannot tell\") end }"))
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("check #1: the check failed:"), b.f.logText)
        XCTAssertTrue(b.f.logText.contains("cannot tell"), b.f.logText)
    }

    func testNamedProcessesKeepTheMachineAwake() throws {
        let b = try BusyFixture()
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: b.dir + "/nsbusyrsync")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: b.dir + "/nsbusyrsync")
        p.arguments = ["60"]
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        XCTAssertTrue(eventually(within: 10) { ActivityCounters.processNames().values.contains("nsbusyrsync") })
        try b.cycle(b.script("busy = { nightshift.busy.processes{\"nsbusyrsync\", \"nothere\"} }"))
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("processes: nsbusyrsync running"), b.f.logText)
    }

    func testTrafficBelowItsLimitIsNotBusy() throws {
        let b = try BusyFixture()
        // No limit is this high: the check samples /proc/net/dev and finds the rate below it.
        try b.cycle(b.script("busy = { nightshift.busy.traffic{kbps = 1e12, seconds = 0.2}, nightshift.busy.disk{kbps = 1e12, seconds = 0.2} }"))
        XCTAssertEqual(b.sleeps, 1, b.f.logText)
    }

    func testASiteCheckReturningBusyKeepsTheMachineAwake() throws {
        let b = try BusyFixture()
        try b.cycle(b.script("busy = { function() return true, 'by hand' end }"))
        XCTAssertEqual(b.sleeps, 0, b.f.logText)
        XCTAssertTrue(b.f.logText.contains("check #1: by hand"), b.f.logText)
    }

    func testNoSleepIsUnchanged() throws {
        let b = try BusyFixture()
        var o = ScriptOptions()
        o.noSleep = true
        try b.cycle(b.script("force_window = \"03:00-05:00\""), options: o)
        XCTAssertEqual(b.sleeps, 0)
        XCTAssertEqual(b.alarm, "", "no alarm without a sleep")
        XCTAssertTrue(b.f.logText.contains("(--no-sleep)"), b.f.logText)
    }

    func testBadBusySettingsAreScriptErrors() throws {
        let f = try ScriptFixture()
        let problems = try f.problems("settings { busy = {\"smbb\"}, self_wake = \"sometimes\" }")
        XCTAssertTrue(problems.contains { $0.contains("busy: item 1: unknown check \"smbb\"") && $0.contains("did you mean \"smb\"?") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("self_wake: \"window\", \"none\", a duration or a function expected") }, "\(problems)")
        XCTAssertThrowsError(try f.runtime().loadSite(path: try f.write("b.lua", "nightshift.busy.processes{}"), source: Array("nightshift.busy.processes{}".utf8))) { e in
            XCTAssertTrue("\(e)".contains("bad argument #1 to 'processes'"), "\(e)")
        }
        let badSmb = "nightshift.busy.smb{ config = 5 }"
        XCTAssertThrowsError(try f.runtime().loadSite(path: try f.write("c.lua", badSmb), source: Array(badSmb.utf8))) { e in
            XCTAssertTrue("\(e)".contains("bad argument #1 to 'smb' (field 'config' must be the path of an smb.conf)"), "\(e)")
            XCTAssertTrue("\(e)".contains("c.lua:1"), "\(e)")
        }
    }
}
