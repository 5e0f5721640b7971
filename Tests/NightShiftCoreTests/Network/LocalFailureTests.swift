import Foundation
@testable import NightShiftCore
import XCTest

/// Invariant 8: a probe that fails on this machine (no route, a `via` on no NIC, a prohibit
/// route, a firewall rule, a NIC without link) is `unknown` with its error, per target, never
/// plain down; a host that is really there but silent stays down.
///
///     this namespace --vk-- live    10.85.1.2 answers; 10.85.1.99 owned by nobody (ARP fails: down)
///                    --vn-- nolink  10.85.2.2 behind a veth whose far end is down (no carrier)
///                    --vo-- off     10.85.3.2 behind a veth whose near end is down (route gone)
///                    --vi-- ignore  10.85.4.2 ignores ICMP (silent: down)
///                    no route to 10.85.9.0/24; prohibit 10.85.10.0/24; unreachable 10.85.11.0/24
final class LocalFailureTests: XCTestCase {
    private var network: TestNetwork?

    static let answering = "10.85.1.2"
    static let absent = "10.85.1.99"
    static let noCarrier = "10.85.2.2"
    static let linkDown = "10.85.3.2"
    static let silent = "10.85.4.2"
    static let noRoute = "10.85.9.1"
    static let prohibited = "10.85.10.1"
    static let unreachableRoute = "10.85.11.1"

    override func setUpWithError() throws {
        try TestNetwork.requirePrivateNamespace()
        let network = TestNetwork()
        self.network = network
        let live = try network.addPeer("live")
        try network.link(live, hostSide: "vk", hostAddress: "10.85.1.1/24", peerAddress: "10.85.1.2/24")
        let nolink = try network.addPeer("nolink")
        try network.host(["ip", "link", "add", "vn", "type", "veth", "peer", "name", "eth0", "netns", String(nolink.pid)])
        network.onTeardown(["ip", "link", "del", "vn"])
        try network.host(["ip", "addr", "add", "10.85.2.1/24", "dev", "vn"])
        try network.host(["ip", "link", "set", "vn", "up"])
        let off = try network.addPeer("off")
        try network.link(off, hostSide: "vo", hostAddress: "10.85.3.1/24", peerAddress: "10.85.3.2/24")
        try network.host(["ip", "link", "set", "vo", "down"])
        let ignore = try network.addPeer("ignore")
        try network.link(ignore, hostSide: "vi", hostAddress: "10.85.4.1/24", peerAddress: "10.85.4.2/24")
        try network.on(ignore, ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"])
        for (kind, prefix) in [("prohibit", "10.85.10.0/24"), ("unreachable", "10.85.11.0/24")] {
            try network.host(["ip", "route", "add", kind, prefix])
            network.onTeardown(["ip", "route", "del", kind, prefix])
        }
    }

    override func tearDown() {
        network?.tearDown()
        network = nil
    }

    private func assertUnknown(
        _ result: ProbeResult?, containing text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(result?.up, false, what, file: file, line: line)
        XCTAssertEqual(result?.unknown, true, "\(what) must be unknown: \(String(describing: result))", file: file, line: line)
        XCTAssertTrue(result?.error?.contains(text) == true, "\(what): \(String(describing: result?.error))", file: file, line: line)
    }

    private func assertDown(_ result: ProbeResult?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result?.up, false, what, file: file, line: line)
        XCTAssertEqual(result?.unknown, false, "\(what) is really there and silent: down, not unknown: \(String(describing: result))",
                       file: file, line: line)
    }

    private func assertClassification(_ results: [String: ProbeResult], _ kind: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(results[Self.answering]?.up, true, "\(kind): \(String(describing: results[Self.answering]))", file: file, line: line)
        assertUnknown(results[Self.noRoute], containing: "network is unreachable", "\(kind) no route", file: file, line: line)
        assertUnknown(results[Self.prohibited], containing: "permission denied", "\(kind) prohibit route", file: file, line: line)
        assertUnknown(results[Self.unreachableRoute], containing: "no route to host", "\(kind) local unreachable route", file: file, line: line)
        assertUnknown(results[Self.linkDown], containing: "network is unreachable", "\(kind) NIC down", file: file, line: line)
        assertUnknown(results[Self.noCarrier], containing: "interface vn has no link", "\(kind) no carrier", file: file, line: line)
        assertDown(results[Self.silent], "\(kind) silent host", file: file, line: line)
        assertDown(results[Self.absent], "\(kind) absent address", file: file, line: line)
    }

    private var allTargets: [String] {
        [Self.answering, Self.absent, Self.noCarrier, Self.linkDown, Self.silent, Self.noRoute, Self.prohibited, Self.unreachableRoute]
    }

    func testICMPLocalFailuresAreUnknownPerTarget() throws {
        for kind in [ICMPSocketKind.raw, .datagram] {
            if kind == .datagram { try network!.hostSysctl("net.ipv4.ping_group_range", "0 2147483647") }
            let results = try Prober.sweep(allTargets, options: ProbeOptions(timeout: 0.5, retries: 0, icmpSocket: kind))
            assertClassification(results, "\(kind)")
        }
    }

    func testTCPLocalFailuresAreUnknownPerTarget() throws {
        // The silent host ignores ICMP only; for TCP it refuses (= up), so it is left out here.
        let results = try Prober.sweep(allTargets.filter { $0 != Self.silent },
                                       options: ProbeOptions(timeout: 0.5, retries: 0, tcpPort: 9))
        XCTAssertEqual(results[Self.answering]?.up, true, "\(String(describing: results[Self.answering]))")
        assertUnknown(results[Self.noRoute], containing: "network is unreachable", "tcp no route")
        assertUnknown(results[Self.prohibited], containing: "permission denied", "tcp prohibit route")
        assertUnknown(results[Self.unreachableRoute], containing: "no route to host", "tcp local unreachable route")
        assertUnknown(results[Self.linkDown], containing: "network is unreachable", "tcp NIC down")
        assertUnknown(results[Self.noCarrier], containing: "interface vn has no link", "tcp no carrier")
        assertDown(results[Self.absent], "tcp absent address")
    }

    func testViaOnNoNICIsUnknownNotAnError() throws {
        for options in [ProbeOptions(timeout: 0.3, retries: 0, via: "10.99.99.99"),
                        ProbeOptions(timeout: 0.3, retries: 0, via: "10.99.99.99", tcpPort: 22)] {
            let results = try Prober.sweep([Self.answering, "127.0.0.1"], options: options)
            for target in [Self.answering, "127.0.0.1"] {
                assertUnknown(results[target], containing: "invalid source address \"10.99.99.99\"", "via, tcp \(String(describing: options.tcpPort))")
            }
        }
        // Per group: the group with a good source still answers.
        let mixed = try Prober.probe([ProbeTarget(address: Self.answering, via: "10.85.1.1"),
                                      ProbeTarget(address: "127.0.0.2", via: "10.99.99.99")],
                                     options: ProbeOptions(timeout: 0.3, retries: 0))
        XCTAssertEqual(mixed[Self.answering]?.up, true)
        assertUnknown(mixed["127.0.0.2"], containing: "10.99.99.99", "per-target via")
    }

    func testFirewallRejectedSendIsUnknown() throws {
        guard TestNetwork.findTool("nft") != nil else { throw XCTSkip("nft is not installed (apt-get install nftables)") }
        try network!.host(["nft", "add", "table", "ip", "nightshift_test"])
        network!.onTeardown(["nft", "delete", "table", "ip", "nightshift_test"])
        try network!.host(["nft", "add", "chain", "ip", "nightshift_test", "out", "{ type filter hook output priority 0; }"])
        try network!.host(["nft", "add", "rule", "ip", "nightshift_test", "out", "ip", "daddr", "10.85.1.2", "drop"])
        let results = try Prober.sweep([Self.answering, Self.silent], options: ProbeOptions(timeout: 0.3, retries: 0))
        assertUnknown(results[Self.answering], containing: "operation not permitted", "nft drop")
        assertDown(results[Self.silent], "silent host next to a firewalled one")
    }

    func testWaitUpKeepsUnknownWhenEveryProbeFailedLocally() throws {
        let started = Date()
        let results = try Prober.waitUp([Self.noRoute, Self.noCarrier, Self.silent, "127.0.0.1"],
                                        options: ProbeOptions(timeout: 0.2), timeout: 1, interval: 0.2)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        XCTAssertEqual(results["127.0.0.1"]?.up, true)
        assertUnknown(results[Self.noRoute], containing: "network is unreachable", "wait_up no route")
        assertUnknown(results[Self.noCarrier], containing: "interface vn has no link", "wait_up no carrier")
        XCTAssertEqual(results[Self.silent], ProbeResult(up: false, error: "no reply within 1 s"))
    }

    func testUnknownReadsAsUnknownInTheTools() {
        XCTAssertEqual(ProbeResult(up: false, error: "network is unreachable", unknown: true).description,
                       "unknown (network is unreachable)")
        XCTAssertEqual(ProbeResult(up: false, error: "no reply").description, "down (no reply)")
    }
}
