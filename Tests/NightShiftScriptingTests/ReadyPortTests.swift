import LuaBinding
@testable import NightShiftScripting
import XCTest

/// Which ports a host must accept connections on before the night acts on it: its ssh
/// actions' port ("auto"), its `ready` setting, or none.
final class ReadyPortTests: XCTestCase {
    private func ports(_ hostBody: String, settings: String = "") throws -> String {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas"\(settings) }
            host "Nas" {}
            host "H" { ip = "10.0.0.9", user = "u", \(hostBody) }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let r = try rt.executeWithCore("""
            return table.concat(core.require("nightshift.ready").ports("H"), ",")
            """)
        guard case .string(let text)? = r.first else { return "?" }
        return text
    }

    func testTheReadySSHSetsWaitForTheirPort() throws {
        XCTAssertEqual(try ports("actions = ns.actions.windows_ssh {}"), "22")
        XCTAssertEqual(try ports("actions = ns.actions.linux_ssh { port = 2222 }"), "2222")
        XCTAssertEqual(try ports("actions = ns.actions.windows_ssh { options = { \"Port=2200\" } }"), "2200")
    }

    func testAHandWrittenSSHActionIsReadLikeSSHReadsIt() throws {
        XCTAssertEqual(try ports("actions = { shutdown = { \"/usr/bin/ssh\", \"-p2022\", \"root@{ip}\", \"poweroff\" } }"), "2022")
        XCTAssertEqual(try ports("actions = { shutdown = { \"ssh\", \"{ip}\", \"-p\", \"23\", \"poweroff\" } }"), "23")
        // After the remote command starts, a -p is the command's, not ssh's.
        XCTAssertEqual(try ports("actions = { in_use = { \"ssh\", \"{ip}\", \"mkdir\", \"-p\", \"/x\" } }"), "22")
        XCTAssertEqual(try ports("actions = { in_use = { \"ssh\", \"-l\", \"{user}\", \"--\", \"{ip}\", \"-p\", \"5\" } }"), "22")
        // Settings' actions count for a host without its own.
        XCTAssertEqual(try ports("", settings: ", actions = ns.actions.linux_ssh { port = 2201 }"), "2201")
    }

    func testNoSSHNoWait() throws {
        XCTAssertEqual(try ports(""), "")
        XCTAssertEqual(try ports("actions = { shutdown = { \"sshpass\", \"ssh\", \"{ip}\" } }"), "")
    }

    /// Samba's net rpc reaches the PC on 445: a woken PC whose NIC answered ARP for it while
    /// it slept is awake once its SMB port accepts a connection.
    func testNetRPCWaitsForTheSMBPort() throws {
        XCTAssertEqual(try ports("actions = { shutdown = { \"net\", \"rpc\", \"shutdown\", \"--ipaddress={ip}\" } }"), "445")
        XCTAssertEqual(try ports("actions = { shutdown = { \"/usr/bin/net\", \"ads\", \"info\" } }"), "")
    }

    func testReadyOverridesTheSSHPorts() throws {
        XCTAssertEqual(try ports("ready = \"none\", actions = ns.actions.windows_ssh {}"), "")
        XCTAssertEqual(try ports("ready = \"tcp:5985\", actions = ns.actions.windows_ssh {}"), "5985")
        XCTAssertEqual(try ports("ready = { \"tcp:22\", \"tcp:445\" }"), "22,445")
    }

    func testBadReadyValuesAreNamed() throws {
        let f = try ScriptFixture()
        for (value, expected) in [
            ("\"ssh\"", "\"auto\", \"none\", \"tcp:PORT\" or an array of \"tcp:PORT\" expected, got \"ssh\""),
            ("\"tcp:0\"", "got \"tcp:0\""),
            ("{}", "must not be empty"),
            ("{ \"tcp:22\", \"icmp\" }", "item 2: "),
        ] {
            let problems = try f.problems("""
                host "H" { ip = "10.0.0.9", ready = \(value) }
                """)
            XCTAssertEqual(problems.count, 1, "\(value): \(problems)")
            XCTAssertTrue(problems.first?.contains("host \"H\": ready: ") ?? false, "\(value): \(problems)")
            XCTAssertTrue(problems.first?.contains(expected) ?? false, "\(value): \(problems)")
        }
    }
}
