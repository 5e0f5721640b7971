import Foundation
@testable import NightShiftCore
import XCTest

/// Run without CAP_NET_RAW, `"auto"` cannot send its ARP half: a PC whose firewall drops ping
/// but that is on (it answers ARP) must then read as unknown, never offline - the sweep keeps
/// the night from starting under its user - and the log, `check` and `ping` say why and how
/// to grant the capability.
///
///     this namespace --va-- quiet   10.87.1.2 drops ICMP and TCP (nft), answers ARP
final class UnprivilegedARPTests: XCTestCase {
    private var network: TestNetwork?
    private let nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--"]

    override func setUpWithError() throws {
        try TestNetwork.requirePrivateNamespace()
        guard TestNetwork.findTool("nft") != nil else { throw XCTSkip("nft is not installed (apt-get install nftables)") }
        guard TestNetwork.findTool("setpriv") != nil else { throw XCTSkip("setpriv (util-linux) is not installed") }
        let network = TestNetwork()
        self.network = network
        let quiet = try network.addPeer("quiet")
        try network.link(quiet, hostSide: "va", hostAddress: "10.87.1.1/24", peerAddress: "10.87.1.2/24")
        try network.on(quiet, ["nft", "add table inet win"])
        try network.on(quiet, ["nft", "add chain inet win in { type filter hook input priority 0; policy accept; }"])
        try network.on(quiet, ["nft", "add rule inet win in meta l4proto { icmp, tcp } drop"])
        // The unprivileged user may ping (datagram ICMP): only ARP is out of its reach.
        try network.hostSysctl("net.ipv4.ping_group_range", "0 2147483647")
    }

    override func tearDown() {
        network?.tearDown()
        network = nil
    }

    func testASweepWithoutCapNetRawCallsAFirewalledPCUnknownAndStartsNoNight() throws {
        let dir = NSTemporaryDirectory() + "nightshift-unpriv-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o777)
        let script = dir + "/site.lua"
        try """
            settings { self = "Nas", self_sleep = "none", check_every = "1h", busy = {} }
            host "Nas" { }
            host "Quiet" { ip = "10.87.1.2", mac = "02:00:00:00:00:02", actions = { suspend = { "true" } } }
            job "J" { source = "Nas", target = "Quiet", time_sync = "none", run = { "touch", "\(dir)/night-ran" } }
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o644)

        let run = try NetworkToolRunner.run(["run", script, "--once"], wrapper: nobody)
        let log = (try? String(contentsOfFile: dir + "/BackupLog.txt", encoding: .utf8)) ?? run.output
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/night-ran"), "a night ran under the user: \(log)")
        XCTAssertTrue(log.contains("Quiet") && log.contains("UNKNOWN"), log)
        XCTAssertTrue(log.contains("cannot tell whether Quiet is online"), log)
        XCTAssertTrue(log.contains("CAP_NET_RAW") && log.contains("AmbientCapabilities"), log)

        let check = try NetworkToolRunner.run(["check", script], wrapper: nobody)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("warning: host Quiet: probe \"auto\" cannot send ARP here"), check.output)
        XCTAssertTrue(check.output.contains("setcap cap_net_raw+ep"), check.output)

        let ping = try NetworkToolRunner.run(["ping", "--script", script, "Quiet"], wrapper: nobody)
        XCTAssertTrue(ping.output.contains("unknown") && ping.output.contains("CAP_NET_RAW"), ping.output)

        // As root the same PC is up by its ARP answer, and check has nothing to warn about.
        let rootCheck = try NetworkToolRunner.run(["check", script])
        XCTAssertFalse(rootCheck.output.contains("cannot send ARP"), rootCheck.output)
        let rootPing = try NetworkToolRunner.run(["ping", "--script", script, "Quiet"])
        XCTAssertTrue(rootPing.output.contains("up"), rootPing.output)
    }
}
