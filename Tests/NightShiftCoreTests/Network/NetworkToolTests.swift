import Foundation
@testable import NightShiftCore
import XCTest

/// `nightshift ping`, `wake` and `time` as an administrator runs them: output, exit codes, help.
final class NetworkToolTests: XCTestCase {
    func testHelpDocumentsTheOptions() throws {
        let ping = try NetworkToolRunner.run(["ping", "--help"])
        for option in ["--timeout", "--retries", "--via", "--tcp", "--wait", "--interval"] {
            XCTAssertTrue(ping.output.contains(option), "ping --help lacks \(option)")
        }
        let wake = try NetworkToolRunner.run(["wake", "--help"])
        for option in ["--broadcast", "--port", "--via", "--interface", "--password", "--repeat"] {
            XCTAssertTrue(wake.output.contains(option), "wake --help lacks \(option)")
        }
        let time = try NetworkToolRunner.run(["time", "--help"])
        for option in ["--port", "--timeout", "--step"] {
            XCTAssertTrue(time.output.contains(option), "time --help lacks \(option)")
        }
    }

    func testWakeUsageErrors() throws {
        let bad = try NetworkToolRunner.run(["wake", "zz"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.output.contains("invalid MAC address \"zz\""), bad.output)
        let password = try NetworkToolRunner.run(["wake", "--password", "hunter2", "EE-EE-EE-EE-EE-EE"])
        XCTAssertEqual(password.status, 2)
        XCTAssertFalse(password.output.contains("hunter2"), "the password must never be printed")
    }

    func testPingAndTimeInANamespace() throws {
        try TestNetwork.requirePrivateNamespace()
        let network = TestNetwork()
        defer { network.tearDown() }
        let peer = try network.addPeer("cli")
        try network.link(peer, hostSide: "vc", hostAddress: "10.81.1.1/24", peerAddress: "10.81.1.2/24")

        let up = try NetworkToolRunner.run(["ping", "--timeout", "0.5", "127.0.0.1", "10.81.1.2"])
        XCTAssertEqual(up.status, 0, up.output)
        XCTAssertTrue(up.output.contains("10.81.1.2 up "), up.output)

        let mixed = try NetworkToolRunner.run(["ping", "--timeout", "0.3", "--retries", "0", "10.81.1.2", "10.81.1.99"])
        XCTAssertEqual(mixed.status, 1, mixed.output)
        XCTAssertTrue(mixed.output.contains("10.81.1.99 down (no reply)"), mixed.output)

        let tcp = try NetworkToolRunner.run(["ping", "--tcp", "22", "--timeout", "0.5", "10.81.1.2"])
        XCTAssertEqual(tcp.status, 0, "refused counts as up: \(tcp.output)")

        // A source address on no NIC: the probe cannot be made, so the host is unknown, not down.
        let badVia = try NetworkToolRunner.run(["ping", "--via", "10.99.0.1", "10.81.1.2"])
        XCTAssertEqual(badVia.status, 1, badVia.output)
        XCTAssertTrue(badVia.output.contains("10.81.1.2 unknown (cannot probe: invalid source address \"10.99.0.1\""), badVia.output)
        let notAnAddress = try NetworkToolRunner.run(["ping", "--via", "eth0", "10.81.1.2"])
        XCTAssertEqual(notAnAddress.status, 2, notAnAddress.output)

        let server = try TestSNTPServer(behaviour: .skewed(2.5))
        defer { server.stop() }
        let time = try NetworkToolRunner.run(["time", "--port", String(server.port), "127.0.0.1"])
        XCTAssertEqual(time.status, 0, time.output)
        XCTAssertTrue(time.output.contains("offset +2.5") || time.output.contains("offset +2.4999"), time.output)
        XCTAssertTrue(time.output.contains("stratum 2"), time.output)
        let silent = try NetworkToolRunner.run(["time", "--port", "9", "--timeout", "1", "127.0.0.1"])
        XCTAssertEqual(silent.status, 1, silent.output)
    }

    /// Many targets without the argument parser: `--targets-file FILE` and `-` (standard input),
    /// one per line, comments and blank lines skipped, mixed with arguments.
    func testPingReadsTargetsFromAFileAndFromStandardInput() throws {
        try TestNetwork.requirePrivateNamespace()
        let network = TestNetwork()
        defer { network.tearDown() }
        let dir = NSTemporaryDirectory() + "ns-targets-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 300 loopback addresses (all of 127/8 answers), written the way an inventory export looks.
        let addresses = (1...300).map { "127.3.\($0 / 250).\($0 % 250 + 1)" }
        let file = dir + "/targets"
        let text = "# office\n\n" + addresses.map { "  \($0)\t\n" }.joined() + "\r\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)

        let fromFile = try NetworkToolRunner.run(["ping", "--timeout", "1", "--targets-file", file, "127.0.0.1"])
        XCTAssertEqual(fromFile.status, 0, fromFile.output)
        let lines = fromFile.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 301, fromFile.output)
        XCTAssertEqual(lines.first.map { String($0.split(separator: " ")[0]) }, "127.0.0.1", "arguments first, then the file")
        for address in addresses {
            XCTAssertTrue(fromFile.output.contains("\n\(address) up "), "\(address) missing: \(fromFile.output.prefix(400))")
        }

        let binary = try NetworkToolRunner.binary()
        let fromStdin = try TestCommand.run(["sh", "-c", "printf '127.0.0.2\\n# no\\n127.0.0.3\\n' | \"$0\" ping --timeout 1 -", binary])
        XCTAssertEqual(fromStdin.status, 0, fromStdin.output)
        XCTAssertEqual(fromStdin.output.split(separator: "\n").map { String($0.split(separator: " ")[0]) }, ["127.0.0.2", "127.0.0.3"],
                       fromStdin.output)

        let empty = try TestCommand.run(["sh", "-c", "printf '# nothing\\n' | \"$0\" ping -", binary])
        XCTAssertEqual(empty.status, 2, empty.output)
        XCTAssertTrue(empty.output.contains("no hosts given"), empty.output)
        let missing = try NetworkToolRunner.run(["ping", "--targets-file", dir + "/absent"])
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.output.contains("cannot read targets file \(dir)/absent"), missing.output)
    }

    /// Without CAP_NET_RAW and outside ping_group_range, the error names both remedies.
    func testNoICMPPermissionNamesTheSysctlAndTheCapability() throws {
        try TestNetwork.requirePrivateNamespace()
        guard TestNetwork.findTool("setpriv") != nil else { throw XCTSkip("setpriv (util-linux) is not installed") }
        let network = TestNetwork()
        defer { network.tearDown() }
        try network.hostSysctl("net.ipv4.ping_group_range", "1 0")
        let result = try NetworkToolRunner.run(["ping", "127.0.0.1"],
                                               wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("net.ipv4.ping_group_range"), result.output)
        XCTAssertTrue(result.output.contains("CAP_NET_RAW"), result.output)

        // With the sysctl opened, the same unprivileged user pings through a datagram socket.
        try network.hostSysctl("net.ipv4.ping_group_range", "0 2147483647")
        let allowed = try NetworkToolRunner.run(["ping", "127.0.0.1"],
                                                wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        XCTAssertEqual(allowed.status, 0, allowed.output)
    }
}
