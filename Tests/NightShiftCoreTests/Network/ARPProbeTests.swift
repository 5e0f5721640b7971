import Foundation
@testable import NightShiftCore
import XCTest

/// ARP presence (`probe = "arp"`, and `"auto"` = ICMP plus ARP on-link): a PC whose firewall
/// drops ICMP and all TCP still answers ARP, so it is up; a PC that is off (no address) is down;
/// an address behind a gateway is not on-link, so `"auto"` asks ICMP alone there.
///
///     this namespace --va-- quiet   10.86.1.2 drops ICMP and TCP (nft), answers ARP
///                    --vb-- off     10.86.2.0/24: the link is up, nobody has an address
///                    --vc-- router  10.86.3.2, answers ping for 10.86.9.5 (routed via it)
///                    host route 10.86.8.7 dev va (on-link without a subnet, as in the lab)
final class ARPProbeTests: XCTestCase {
    private var network: TestNetwork?

    static let quiet = "10.86.1.2"
    static let off = "10.86.2.2"
    static let router = "10.86.3.2"
    static let routed = "10.86.9.5"
    static let hostRoute = "10.86.8.7"

    override func setUpWithError() throws {
        try TestNetwork.requirePrivateNamespace()
        guard TestNetwork.findTool("nft") != nil else { throw XCTSkip("nft is not installed (apt-get install nftables)") }
        let network = TestNetwork()
        self.network = network
        let quiet = try network.addPeer("quiet")
        try network.link(quiet, hostSide: "va", hostAddress: "10.86.1.1/24", peerAddress: "10.86.1.2/24")
        // The Windows firewall's default, and more: no ICMP echo answered, no TCP at all.
        try network.on(quiet, ["nft", "add table inet win"])
        try network.on(quiet, ["nft", "add chain inet win in { type filter hook input priority 0; policy accept; }"])
        try network.on(quiet, ["nft", "add rule inet win in meta l4proto { icmp, tcp } drop"])
        // The quiet PC also owns 10.86.8.7, reached by a host route without a subnet.
        try network.on(quiet, ["ip", "addr", "add", "10.86.8.7/32", "dev", "eth0"])
        try network.host(["ip", "route", "add", "10.86.8.7/32", "dev", "va", "src", "10.86.1.1"])
        let off = try network.addPeer("off")
        try network.link(off, hostSide: "vb", hostAddress: "10.86.2.1/24", peerAddress: nil)
        let router = try network.addPeer("router")
        try network.link(router, hostSide: "vc", hostAddress: "10.86.3.1/24", peerAddress: "10.86.3.2/24")
        try network.on(router, ["ip", "addr", "add", "10.86.9.5/32", "dev", "lo"])
        try network.host(["ip", "route", "add", "10.86.9.0/24", "via", "10.86.3.2"])
        network.onTeardown(["ip", "route", "del", "10.86.9.0/24"])
    }

    override func tearDown() {
        network?.tearDown()
        network = nil
    }

    private func probe(_ address: String, _ probes: [ProbeMethod], wait: ProbeWait? = nil) throws -> ProbeResult? {
        try Prober.probe([ProbeTarget(address: address, probes: probes)],
                         options: ProbeOptions(timeout: 0.5, retries: 1), wait: wait)[address]
    }

    func testPCThatDropsPingAndTCPIsUpByARPOnly() throws {
        XCTAssertEqual(try probe(Self.quiet, [.icmp])?.up, false, "the firewall drops ICMP")
        XCTAssertEqual(try probe(Self.quiet, [.tcp(445)])?.up, false, "the firewall drops TCP")
        let arp = try XCTUnwrap(try probe(Self.quiet, [.arp]))
        XCTAssertTrue(arp.up, "\(arp)")
        XCTAssertNotNil(arp.rttMilliseconds)
        let auto = try XCTUnwrap(try probe(Self.quiet, [.auto]))
        XCTAssertTrue(auto.up, "\(auto)")
        // Its UDP is not dropped: the port unreachable for the NetBIOS check shows it is on (ARPOffloadTests).
        XCTAssertEqual(auto.probe, "arp+netbios", "auto: the ARP half answered, the NetBIOS check confirmed")
        let array = try XCTUnwrap(try probe(Self.quiet, [.icmp, .tcp(445), .arp]))
        XCTAssertEqual(array.probe, "arp", "\(array)")
        // The plain sweep (nightshift ping --arp) and a host route `dev X` without a subnet.
        let swept = try Prober.sweep([Self.quiet, Self.hostRoute], options: ProbeOptions(timeout: 0.5, arp: true))
        XCTAssertEqual(swept[Self.quiet]?.up, true, "\(String(describing: swept[Self.quiet]))")
        XCTAssertEqual(swept[Self.hostRoute]?.up, true, "on-link by a host route: \(String(describing: swept[Self.hostRoute]))")
    }

    func testPCThatIsOffIsDownNotUnknown() throws {
        for probes: [ProbeMethod] in [[.arp], [.auto], [.icmp, .arp]] {
            let result = try XCTUnwrap(try probe(Self.off, probes))
            XCTAssertFalse(result.up, "\(probes): \(result)")
            XCTAssertFalse(result.unknown, "\(probes): nobody answers on a working link: down, \(result)")
        }
        let arp = try XCTUnwrap(try probe(Self.off, [.arp]))
        XCTAssertEqual(arp.error, "no reply")
    }

    func testRoutedAddressIsNotOnLinkSoAutoAsksICMPAlone() throws {
        let plan = ProbePlan([ProbeTarget(address: Self.routed, probes: [.auto]),
                              ProbeTarget(address: Self.quiet, probes: [.auto]),
                              ProbeTarget(address: "127.0.0.1", probes: [.auto])])
        XCTAssertEqual(plan.groups[ProbePlan.Group(via: nil, method: .icmp)]?.sorted(), ["10.86.1.2", "10.86.9.5", "127.0.0.1"])
        XCTAssertEqual(plan.groups[ProbePlan.Group(via: nil, method: .arp)], [Self.quiet],
                       "only the on-link address gets ARP (not the routed one, not loopback)")
        let auto = try XCTUnwrap(try probe(Self.routed, [.auto]))
        XCTAssertTrue(auto.up, "answered by ICMP through the router: \(auto)")
        XCTAssertNil(auto.probe, "one probe only: ICMP")
        // Asked for ARP explicitly, a routed address cannot be answered: unknown, saying why.
        let arp = try XCTUnwrap(try probe(Self.routed, [.arp]))
        XCTAssertFalse(arp.up)
        XCTAssertTrue(arp.unknown, "\(arp)")
        XCTAssertTrue(arp.error?.contains("not on-link: 10.86.9.5 is routed through 10.86.3.2") == true, "\(arp)")
    }

    func testARPToThisMachineOrLoopbackOrIPv6IsUnknownWithReason() throws {
        let results = try Prober.probe(["10.86.1.1", "127.0.0.1", "::1", "10.77.0.1"].map { ProbeTarget(address: $0, probes: [.arp]) },
                                       options: ProbeOptions(timeout: 0.3, retries: 0))
        XCTAssertTrue(results["10.86.1.1"]?.error?.contains("is an address of this machine") == true, "\(String(describing: results["10.86.1.1"]))")
        XCTAssertTrue(results["127.0.0.1"]?.error?.contains("is an address of this machine") == true, "\(String(describing: results["127.0.0.1"]))")
        XCTAssertTrue(results["::1"]?.error?.contains("IPv4 addresses only") == true, "\(String(describing: results["::1"]))")
        XCTAssertTrue(results["10.77.0.1"]?.error?.contains("network is unreachable") == true, "\(String(describing: results["10.77.0.1"]))")
        for (target, result) in results { XCTAssertTrue(result.unknown, "\(target): \(result)") }
    }

    func testViaPicksTheSourceAndAWrongViaIsUnknown() throws {
        let good = try Prober.probe([ProbeTarget(address: Self.quiet, via: "10.86.1.1", probes: [.arp])],
                                    options: ProbeOptions(timeout: 0.5))
        XCTAssertEqual(good[Self.quiet]?.up, true, "\(String(describing: good[Self.quiet]))")
        let bad = try Prober.probe([ProbeTarget(address: Self.quiet, via: "10.99.99.99", probes: [.arp])],
                                   options: ProbeOptions(timeout: 0.5))
        XCTAssertEqual(bad[Self.quiet]?.unknown, true, "\(String(describing: bad[Self.quiet]))")
        XCTAssertTrue(bad[Self.quiet]?.error?.contains("10.99.99.99") == true, "\(String(describing: bad[Self.quiet]))")
    }

    func testWaitUpSeesAPCThatComesUpAnsweringARPOnly() throws {
        let network = try XCTUnwrap(self.network)
        let off = try XCTUnwrap(network.peers.first { $0.name == "off" })
        try network.on(off, ["nft", "add table inet win"])
        try network.on(off, ["nft", "add chain inet win in { type filter hook input priority 0; policy accept; }"])
        try network.on(off, ["nft", "add rule inet win in meta l4proto { icmp, tcp } drop"])
        let started = Date()
        // The PC "boots" a moment after the wait began: its address appears.
        _ = try network.daemon(on: nil, ["sh", "-c", "sleep 0.6; exec nsenter -t \(off.pid) -n ip addr add 10.86.2.2/24 dev eth0"])
        let result = try XCTUnwrap(try probe(Self.off, [.auto], wait: ProbeWait(timeout: 10, interval: 0.2)))
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(result.up, "\(result)")
        XCTAssertEqual(result.probe, "arp")
        XCTAssertLessThan(elapsed, 5, "seen within a few intervals of booting, not at the timeout")
    }

    /// 254 silent on-link targets: the ARP sweep takes one timeout chain, like ICMP's.
    func testSweepOfManySilentARPTargetsTakesOneTimeoutChain() throws {
        let targets = (1...254).map { "10.86.2.\($0)" }.filter { $0 != "10.86.2.1" } + ["10.86.1.2"]
        let options = ProbeOptions(timeout: 0.5, retries: 1)
        var arpOptions = options
        arpOptions.arp = true
        let arpStarted = Date()
        let arp = try Prober.sweep(targets, options: arpOptions)
        let arpElapsed = Date().timeIntervalSince(arpStarted)
        XCTAssertEqual(arp.values.filter(\.up).count, 1, "only the quiet PC answers")
        XCTAssertEqual(arp["10.86.1.2"]?.up, true)
        XCTAssertEqual(arp.values.filter { !$0.up && !$0.unknown }.count, 253)
        XCTAssertGreaterThanOrEqual(arpElapsed, 0.9, "two probes of 0.5 s each were waited for")
        XCTAssertLessThan(arpElapsed, 2.5, "one timeout chain (2 x 0.5 s), not one per target")
        let icmpStarted = Date()
        let icmp = try Prober.sweep(targets, options: options)
        let icmpElapsed = Date().timeIntervalSince(icmpStarted)
        XCTAssertEqual(icmp.values.filter(\.up).count, 0, "the quiet PC drops ping")
        print(String(format: "ARPProbeTests: 253 silent + 1 quiet target, timeout 0.5 s, 1 retry: ARP %.3f s, ICMP %.3f s",
                     arpElapsed, icmpElapsed))
    }
}
