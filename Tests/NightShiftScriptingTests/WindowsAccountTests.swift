import Foundation
@testable import NightShiftScripting
import XCTest

/// Windows account names as a site writes them, and the `in_use` check's expected answers
/// (Windows' `query user` says "No User exists for *" on stderr with exit 1) kept out of the
/// error lines of the log.
final class WindowsAccountTests: XCTestCase {
    private func site(user: String) -> String {
        """
        local ns = require "nightshift"
        settings { self = "Nas" }
        host "Nas" { }
        host "Win" { ip = "10.0.0.9", mac = "AA-BB-CC-DD-EE-09", user = \(user), actions = ns.actions.windows_ssh() }
        job "J" { source = "Nas", target = "Win", run = { "true" }, after = "shutdown", time_sync = "none" }
        """
    }

    func testDomainAndUpnNamesAreAccepted() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(try f.problems(site(user: #"[[OFFICE\backupadmin]]"#)), [])
        XCTAssertEqual(try f.problems(site(user: #""OFFICE\\backupadmin""#)), [])
        XCTAssertEqual(try f.problems(site(user: #""backupadmin@office.example""#)), [])
    }

    func testABackslashEscapeInTheNameGetsOneErrorThatSaysSo() throws {
        let f = try ScriptFixture()
        // Lua reads "\b" as a backspace: the name the site meant is not the one it wrote.
        let p = try f.problems(site(user: #""OFFICE\backupadmin""#))
        XCTAssertEqual(p.count, 1, "one error per mistake: \(p)")
        let e = p.first ?? ""
        XCTAssertTrue(e.hasPrefix("site.lua:4:"), e)
        XCTAssertTrue(e.contains("control character") && e.contains("backspace"), e)
        XCTAssertTrue(e.contains(#"[[OFFICE\backupadmin]]"#) && e.contains(#""OFFICE\\backupadmin""#), e)
        XCTAssertFalse(e.contains("{user}"), e)
    }

    func testEveryEscapeIsOneLineThatShowsTheNameAsWritten() throws {
        // "\n" must not split the error over two lines, and the fix offered is the name the
        // site wrote, not an example.
        let f = try ScriptFixture()
        for (written, what) in [(#"OFFICE\newuser"#, "a newline"), (#"OFFICE\tom"#, "a tab"), (#"OFFICE\rolf"#, "a carriage return")] {
            let p = try f.problems(site(user: "\"" + written + "\""))
            XCTAssertEqual(p.count, 1, "\(written): \(p)")
            let e = p.first ?? ""
            XCTAssertFalse(e.contains("\n") || e.contains("\r") || e.contains("\t"), "one line: \(e)")
            XCTAssertTrue(e.contains("user name \"\(written)\" holds a control character, \(what) (byte"), e)
            let doubled = written.replacingOccurrences(of: "\\", with: "\\\\")
            XCTAssertTrue(e.contains("[[\(written)]]") && e.contains("\"\(doubled)\""), e)
            XCTAssertFalse(e.contains("{user}"), e)
        }
        // A byte Lua has no letter for: shown as a decimal escape, the fix as an example.
        let p = try f.problems(site(user: #""a\27b""#))
        XCTAssertEqual(p.count, 1, "\(p)")
        XCTAssertTrue(p.first?.contains(#"user name "a\27b" holds a control character (byte 27 at position 2)"#) == true, "\(p)")
    }

    func testARefusedNameBringsNoFollowOnErrorAboutUser() throws {
        let f = try ScriptFixture()
        let p = try f.problems(site(user: #""-oProxyCommand=x""#))
        XCTAssertEqual(p.count, 1, "\(p)")
        XCTAssertTrue(p.first?.contains("must not start with '-'") == true, "\(p)")
    }

    /// The in_use check answers `code` with `stderr` (and `stdout`); returns the keep-on reason and the log's text.
    private func inUseLog(code: Int, stderr: String, stdout: String = "") throws -> (String?, String) {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas" }
            host "Nas" { }
            host "Win" { ip = "10.0.0.9", mac = "AA-BB-CC-DD-EE-09",
                         actions = { in_use = { "sh", "-c", "printf '\(stdout)'; echo '\(stderr)' >&2; exit \(code)" }, shutdown = { "true" } } }
            job "J" { source = "Nas", target = "Win", run = { "true" }, after = "shutdown", time_sync = "none" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let r = try rt.executeWithCore("""
            local night = core.new_night({ Win = { up = false } }, true, { hosts = {} })
            night.woken.Win = true
            night.answering.Win = "10.0.0.9"
            return night:keep_on_reason("Win")
            """)
        return (r.first?.stringValue, f.logText)
    }

    func testNobodyIsAnInfoLineNotAnError() throws {
        let (reason, log) = try inUseLog(code: 1, stderr: "No User exists for *")
        XCTAssertNil(reason)
        XCTAssertTrue(log.contains("INFO  Win in_use: No User exists for *"), log)
        XCTAssertFalse(log.contains("ERR"), log)
        XCTAssertFalse(log.contains("ERROR"), log)
    }

    /// `query user` as Windows prints it (en-US): a locked console is still "Active", a
    /// disconnected session (remote desktop closed, or a user switched away from) is "Disc"
    /// without a session name; the '>' of quser's own session is on no row over ssh.
    static let quserTable = """
         USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\r
         anna                  console             1  Active      none   12/7/2026 8:02 AM\r
         jdoe                                      2  Disc        1:05   12/7/2026 9:40 AM\r

        """

    func testALockedOrDisconnectedSessionIsInUse() throws {
        // Exit 0 with a listed session is "in use", whatever its state: NightShift reads the
        // exit code, never the table, so a Disc or locked session keeps the PC on.
        for table in [Self.quserTable, Self.quserTable.replacingOccurrences(of: " anna  ", with: ">anna  ")] {
            let printf = table.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
            let (reason, log) = try inUseLog(code: 0, stderr: "", stdout: printf)
            XCTAssertEqual(reason, "its in_use check reports a user")
            XCTAssertTrue(log.contains("INFO  Win in_use:  jdoe                                      2  Disc        1:05"), log)
            XCTAssertTrue(log.contains("Win in_use:  USERNAME"), log)
            XCTAssertFalse(log.contains("\r"), "carriage returns are not logged: \(log)")
            XCTAssertFalse(log.contains("WARN") || log.contains("ERR"), log)
        }
    }

    func testAFailingCheckIsAWarningAndKeepsThePcOn() throws {
        let (reason, log) = try inUseLog(code: 255, stderr: "ssh: connect to host 10.0.0.9 port 22: Connection refused")
        XCTAssertEqual(reason, "its in_use check failed (exit 255)")
        XCTAssertTrue(log.contains("WARN  Win in_use: ssh: connect to host"), log)
    }
}
