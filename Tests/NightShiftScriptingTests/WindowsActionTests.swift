import Foundation
@testable import NightShiftScripting
import XCTest

/// `ns.actions.windows_ssh` and `ns.actions.windows_rpc`: the exact argv of every operation,
/// hostile inventory values kept inside their own argument, and the argv as a real program
/// receives it (a recording stand-in for `ssh` / `net`: no shell anywhere in between).
final class WindowsActionTests: XCTestCase {
    /// What a site may legally write as a user name, but a shell would act on.
    static let hostileUser = #"ad$(touch${IFS}pwned)`id`;x'"&|<>\*"#

    /// A site with host "Win" using `actions` (a Lua expression), its user `user`.
    private func load(_ f: ScriptFixture, actions: String, user: String = hostileUser, prelude: String = "") throws -> ScriptRuntime {
        let script = """
            local ns = require "nightshift"
            \(prelude)
            settings { self = "Nas" }
            host "Nas" { }
            host "Win" { ip = "10.0.0.9", mac = "AA-BB-CC-DD-EE-09", user = \(luaString(user)), actions = \(actions) }
            job "J" { source = "Nas", target = "Win", run = { "true" }, after = "shutdown", time_sync = "none" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        return rt
    }

    /// The rendered argv of `action` (placeholders filled by ns.hosts.action_argv).
    private func argv(_ rt: ScriptRuntime, _ action: String, values: String = "{}") throws -> [String]? {
        let r = try rt.lua.execute("""
            local a = nightshift.hosts.action_argv("Win", "\(action)", \(values))
            if not a then return nil end
            return table.concat(a, "\\0")
            """)
        guard let s = r.first?.stringValue else { return nil }
        return s.components(separatedBy: "\0")
    }

    /// Sleep with wake events on, through .NET (rundll32 would hand powrprof a window handle as
    /// "hibernate" and a pointer as "disable wake events").
    static let suspendCommand = [
        "powershell", "-NoProfile", "-NonInteractive", "-Command",
        #""Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Application]::SetSuspendState([System.Windows.Forms.PowerState]::Suspend, [bool]0, [bool]0)""#,
    ]

    private let sshPrefix = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-l", hostileUser, "--", "10.0.0.9"]

    func testWindowsSshArgvOfEveryOperation() throws {
        let f = try ScriptFixture()
        let rt = try load(f, actions: "ns.actions.windows_ssh()")
        XCTAssertEqual(try argv(rt, "shutdown"), sshPrefix + ["shutdown", "/s", "/f", "/t", "0"])
        XCTAssertEqual(try argv(rt, "hibernate"), sshPrefix + ["shutdown", "/h", "/f"])
        // SetSuspendState returns only after the wake: keep-alives end the ssh that waits for it.
        XCTAssertEqual(try argv(rt, "suspend"), Array(sshPrefix.prefix(5)) + ["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"]
            + Array(sshPrefix.dropFirst(5)) + Self.suspendCommand)
        XCTAssertEqual(try argv(rt, "in_use"), sshPrefix + ["query", "user"])
        XCTAssertEqual(try argv(rt, "set_time", values: #"{ offset = "-1.250" }"#), sshPrefix + [
            "powershell", "-NoProfile", "-NonInteractive", "-Command",
            #""Set-Date -Adjust ([TimeSpan]::FromMilliseconds([long](-1.250d*1000)))""#,
        ])
        XCTAssertEqual(try argv(rt, "get_time"), sshPrefix + [
            "powershell", "-NoProfile", "-NonInteractive", "-Command",
            #""[decimal]::Divide([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds(),1000).ToString([Globalization.CultureInfo]::InvariantCulture)""#,
        ])
        XCTAssertNil(try argv(rt, "wake_at"))
    }

    func testWindowsSshOptionsComeBeforeTheEndOfOptions() throws {
        let f = try ScriptFixture()
        let key = try f.write("id_win", "key\n")
        chmod(key, 0o600)
        let rt = try load(f, actions: #"ns.actions.windows_ssh { key = "\#(key)", port = 2222, connect_timeout = 3, options = { "LogLevel=ERROR" } }"#,
                          user: "backupadmin")
        XCTAssertEqual(try argv(rt, "in_use"), [
            "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-i", key, "-p", "2222", "-o", "LogLevel=ERROR",
            "-l", "backupadmin", "--", "10.0.0.9", "query", "user",
        ])
    }

    func testTheRemoteCommandsHoldNoInventoryValueAndNoShellOperator() throws {
        // ssh sends the words after the host as one string that cmd.exe parses: nothing from
        // the inventory goes there, and nothing cmd.exe or PowerShell would act on.
        let f = try ScriptFixture()
        let rt = try load(f, actions: "ns.actions.windows_ssh()")
        for action in ["shutdown", "hibernate", "suspend", "in_use", "set_time", "get_time"] {
            let a = try XCTUnwrap(try argv(rt, action, values: #"{ epoch_frac = "1796154792.250", offset = "-1.250" }"#), action)
            let host = try XCTUnwrap(a.firstIndex(of: "10.0.0.9"), action)
            XCTAssertEqual(a[host - 1], "--", action)
            let remote = a[(host + 1)...].joined(separator: " ")
            XCTAssertFalse(remote.contains("ad$"), "\(action): \(remote)")
            // Inside the one double-quoted -Command word a ';' only separates PowerShell
            // statements: neither cmd.exe nor an outer PowerShell acts on it there. Everything
            // else is refused in and out of quotes ($ and ` are expanded inside PowerShell's
            // double quotes, % inside cmd.exe's).
            let quoted = ["set_time", "get_time", "suspend"].contains(action)
            XCTAssertEqual(remote.filter { $0 == "\"" }.count, quoted ? 2 : 0, remote)
            if quoted { XCTAssertTrue(remote.hasSuffix("\""), remote) }
            let words = remote.split(separator: "\"", omittingEmptySubsequences: false)
            let outside = words[0], script = quoted && words.count > 1 ? words[1] : ""
            for operatorCharacter in ["&", "|", "<", ">", "^", "%", "$", "'", ";", "`"] {
                XCTAssertFalse(outside.contains(operatorCharacter), "\(action) sends \(operatorCharacter): \(remote)")
                if operatorCharacter != ";" {
                    XCTAssertFalse(script.contains(operatorCharacter), "\(action) quotes \(operatorCharacter): \(remote)")
                }
            }
        }
    }

    func testWindowsRpcArgvKeepsEveryValueGluedToItsOption() throws {
        let f = try ScriptFixture()
        // A credentials path that starts with '-' and holds a space and braces stays one value.
        let cred = try f.write("-A x {user}.cred", "username = u\npassword = p\n")
        chmod(cred, 0o600)
        let rt = try load(f, actions: #"ns.actions.windows_rpc { credentials = "\#(cred)", message = "Bye; $(rm -rf /) \"now\" {x}" }"#)
        XCTAssertEqual(try argv(rt, "shutdown"), [
            "net", "rpc", "shutdown", "-f", "--timeout=1", #"--comment=Bye; $(rm -rf /) "now" {x}"#,
            "--ipaddress=10.0.0.9", "--authentication-file=" + cred,
        ])
        for action in ["hibernate", "suspend", "set_time", "in_use"] {
            XCTAssertNil(try argv(rt, action), "\(action): net rpc has no such operation")
        }
        let g = try ScriptFixture()
        let smb = try g.write("smb.cred", "username = u\npassword = p\n")
        chmod(smb, 0o600)
        let plain = try load(g, actions: #"ns.actions.windows_rpc { credentials = "\#(smb)" }"#)
        XCTAssertEqual(try argv(plain, "shutdown"), [
            "net", "rpc", "shutdown", "-f", "--timeout=1", "--comment=NightShift backup finished",
            "--ipaddress=10.0.0.9", "--authentication-file=" + smb,
        ])
    }

    func testWindowsRpcWithoutCredentialsIsAnErrorAtTheScriptsLine() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            local ns = require "nightshift"
            local a = ns.actions.windows_rpc {}
            """)
        XCTAssertEqual(p.count, 1, "\(p)")
        XCTAssertTrue(p.first?.contains("site.lua:2:") == true, "\(p)")
        XCTAssertTrue(p.first?.contains("field 'credentials' must name an authentication file") == true, "\(p)")
    }

    func testAHostileUserNameNeverLooksLikeAnOption() throws {
        let f = try ScriptFixture()
        for bad in ["-oProxyCommand=touch x", "a b"] {
            let p = try f.problems("""
                local ns = require "nightshift"
                settings { self = "Nas" }
                host "Nas" { }
                host "Win" { ip = "10.0.0.9", mac = "AA-BB-CC-DD-EE-09", user = \(luaString(bad)), actions = ns.actions.windows_ssh() }
                """)
            XCTAssertEqual(p.count, 1, "\(bad): \(p)")
            XCTAssertTrue(p.first?.contains("invalid user name") == true, "\(bad): \(p)")
        }
    }

    /// A stand-in for `ssh` / `net` that writes its argv (NUL-separated) to `record` and exits
    /// with the number in `exitFile` (0 when missing).
    private func recorder(_ f: ScriptFixture, name: String) throws -> (program: String, record: String, exitFile: String) {
        let record = f.dir + "/\(name).argv", exitFile = f.dir + "/\(name).exit"
        try FileManager.default.createDirectory(atPath: f.dir + "/fake", withIntermediateDirectories: true)
        let program = try f.write("fake/\(name)", """
            #!/bin/sh
            for a in "$@"; do printf '%s\\0' "$a"; done >'\(record)'
            [ -f '\(exitFile)' ] && exit "$(cat '\(exitFile)')"
            exit 0
            """)
        chmod(program, 0o755)
        return (program, record, exitFile)
    }

    private func recorded(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func testARealProgramReceivesTheArgvUntouched() throws {
        let f = try ScriptFixture()
        let ssh = try recorder(f, name: "ssh")
        let net = try recorder(f, name: "net")
        let smb = try f.write("smb.cred", "username = u\npassword = p\n")
        chmod(smb, 0o600)
        let rt = try load(f, actions: "actions", prelude: """
            local actions = ns.actions.windows_ssh()
            actions.rpc_shutdown = ns.actions.windows_rpc { credentials = "\(smb)" }.shutdown
            for _, t in pairs(actions) do t[1] = (t[1] == "net" and "\(net.program)" or "\(ssh.program)") end
            """)
        for action in ["shutdown", "hibernate", "suspend", "in_use", "set_time", "get_time", "rpc_shutdown"] {
            let r = try rt.lua.execute("""
                local r = nightshift.hosts.run_action("Win", "\(action)", { offset = "-1.250" })
                return r.code
                """)
            XCTAssertEqual(r.first?.integerValue, 0, action)
            var want = try XCTUnwrap(try argv(rt, action, values: #"{ offset = "-1.250" }"#))
            want.removeFirst()
            XCTAssertEqual(try recorded(action == "rpc_shutdown" ? net.record : ssh.record), want, action)
        }
        // Nothing in the hostile user name ran anywhere.
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/pwned"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "pwned"))
    }

    func testQueryUserExitCodesMapToTheInUseContract() throws {
        // `query user`: 0 = a session is listed, 1 = "No User exists for *"; anything else -
        // 49 (cmd.exe's 9009 for a missing query.exe, as ssh reports it), 255 (ssh failed) -
        // is unknown and keeps the PC on.
        let cases: [(exit: Int, reason: String?)] = [
            (0, "its in_use check reports a user"),
            (1, nil),
            (49, "its in_use check failed (exit 49)"),
            (255, "its in_use check failed (exit 255)"),
        ]
        for c in cases {
            let f = try ScriptFixture()
            let ssh = try recorder(f, name: "ssh")
            try f.write("ssh.exit", "\(c.exit)\n")
            let rt = try load(f, actions: "actions", user: "backupadmin", prelude: """
                local actions = ns.actions.windows_ssh()
                for _, t in pairs(actions) do t[1] = "\(ssh.program)" end
                """)
            let r = try rt.executeWithCore("""
                local night = core.new_night({ Win = { up = false } }, true, { hosts = {} })
                night.woken.Win = true
                night.answering.Win = "10.0.0.9"
                return night:keep_on_reason("Win")
                """)
            XCTAssertEqual(r.first?.stringValue, c.reason, "exit \(c.exit)")
            XCTAssertEqual(Array(try recorded(ssh.record).suffix(2)), ["query", "user"], "exit \(c.exit)")
        }
    }
}

/// `nightshift check` refuses a Samba credentials file that is missing or others can read.
final class CredentialsFileCheckTests: XCTestCase {
    func testAMissingOrReadableCredentialsFileIsRefused() throws {
        let f = try ScriptFixture()
        let cred = f.dir + "/smb.cred"
        let script = """
            local ns = require "nightshift"
            settings { self = "Nas" }
            host "Nas" { }
            host "Win" { ip = "10.0.0.9", mac = "AA-BB-CC-DD-EE-09",
                         actions = ns.actions.windows_rpc { credentials = "\(cred)" } }
            job "J" { source = "Nas", target = "Win", run = { "true" }, after = "shutdown", time_sync = "none" }
            """
        XCTAssertEqual(try f.problems(script), ["site.lua:5: host \"Win\": actions.shutdown: credentials file \"smb.cred\" does not exist"])
        try f.write("smb.cred", "username = backupadmin\npassword = secret\n")
        chmod(cred, 0o640)
        let p = try f.problems(script)
        XCTAssertEqual(p.count, 1, "\(p)")
        XCTAssertTrue(p[0].contains("credentials file \"smb.cred\" is readable by group or others (mode 640; chmod 600 it)"), "\(p)")
        chmod(cred, 0o604)
        XCTAssertTrue(try f.problems(script).first?.contains("mode 604") == true)
        chmod(cred, 0o600)
        XCTAssertEqual(try f.problems(script), [])
    }

    func testEveryFormOfTheOptionIsChecked() throws {
        let f = try ScriptFixture()
        for (i, form) in [#""-A", "%@""#, #""-A%@""#, #""--authentication-file", "%@""#, #""--authentication-file=%@""#].enumerated() {
            let args = form.replacingOccurrences(of: "%@", with: f.dir + "/missing\(i).cred")
            let p = try f.problems("""
                settings { self = "Nas" }
                host "Nas" { }
                host "Win" { ip = "10.0.0.9", mac = "AA-BB-CC-DD-EE-09",
                             actions = { shutdown = { "/usr/bin/net", "rpc", "shutdown", "-I", "{ip}", \(args) } } }
                """)
            XCTAssertEqual(p, ["site.lua:4: host \"Win\": actions.shutdown: credentials file \"missing\(i).cred\" does not exist"], form)
        }
    }
}

/// A Lua string literal for `s`.
private func luaString(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}
