import Foundation
@testable import NightShiftCore
import XCTest

/// `"auto"` against NICs that answer ARP for a sleeping PC (Windows' ARP offload): a host seen
/// by ARP alone gets a NetBIOS node status request; an answer (Samba's nmbd, as a Windows PC
/// with network discovery on) or a port unreachable (a Linux host that is on) keeps it up,
/// silence makes it down and `asleep`. An explicit `"arp"` probe still counts ARP alone.
///
///     this namespace --va-- winon   10.87.1.2 drops ICMP, TCP and UDP but 137; nmbd answers
///                    --vb-- asleep  10.87.2.2 drops all IPv4 (only the "NIC" answers ARP)
///                    --vc-- linux   10.87.3.2 drops ICMP and TCP; UDP 137 closed: port unreachable
final class ARPOffloadTests: XCTestCase {
    private var network: TestNetwork?
    private var folder: URL?

    static let winOn = "10.87.1.2"
    static let asleep = "10.87.2.2"
    static let linux = "10.87.3.2"

    override func setUpWithError() throws {
        try TestNetwork.requirePrivateNamespace()
        guard TestNetwork.findTool("nft") != nil else { throw XCTSkip("nft is not installed (apt-get install nftables)") }
        guard let nmbd = TestNetwork.findTool("nmbd") else { throw XCTSkip("nmbd is not installed (apt-get install samba)") }
        let network = TestNetwork()
        self.network = network
        let winOn = try network.addPeer("winon")
        try network.link(winOn, hostSide: "va", hostAddress: "10.87.1.1/24", peerAddress: "10.87.1.2/24")
        try firewall(winOn, "meta l4proto { icmp, tcp } drop", "udp dport != 137 drop")
        let asleep = try network.addPeer("asleep")
        try network.link(asleep, hostSide: "vb", hostAddress: "10.87.2.1/24", peerAddress: "10.87.2.2/24")
        try firewall(asleep, "meta nfproto ipv4 drop")
        let linux = try network.addPeer("linux")
        try network.link(linux, hostSide: "vc", hostAddress: "10.87.3.1/24", peerAddress: "10.87.3.2/24")
        try firewall(linux, "meta l4proto { icmp, tcp } drop")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbns-\(UUID().uuidString)")
        self.folder = folder
        for sub in ["lock", "state", "cache", "pid", "private", "log"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let dir = folder.path
        let conf = """
            [global]
              netbios name = WINPC
              workgroup = OFFICE
              interfaces = \(Self.winOn)/24
              bind interfaces only = yes
              local master = no
              lock directory = \(dir)/lock
              state directory = \(dir)/state
              cache directory = \(dir)/cache
              pid directory = \(dir)/pid
              private dir = \(dir)/private
              log file = \(dir)/log/nmbd.log
            """
        try conf.write(to: folder.appendingPathComponent("smb.conf"), atomically: true, encoding: .utf8)
        try network.daemon(on: winOn, [nmbd, "-F", "--no-process-group", "-s", "\(dir)/smb.conf", "-l", "\(dir)/log"])
        // nmbd takes a moment to register its names; a real client (nmblookup) tells when it answers.
        let deadline = Date().addingTimeInterval(20)
        while true {
            let probe = try Prober.sweep([Self.winOn], options: { var o = ProbeOptions(timeout: 0.5, retries: 0); o.netbios = true; return o }())
            if probe[Self.winOn]?.up == true { break }
            guard Date() < deadline else { throw TestNetworkError("nmbd did not answer a node status request within 20 s") }
        }
    }

    override func tearDown() {
        network?.tearDown()
        network = nil
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func firewall(_ peer: TestNetwork.Peer, _ rules: String...) throws {
        let network = try XCTUnwrap(self.network)
        try network.on(peer, ["nft", "add table inet win"])
        try network.on(peer, ["nft", "add chain inet win in { type filter hook input priority 0; policy accept; }"])
        for rule in rules { try network.on(peer, ["nft", "add rule inet win in \(rule)"]) }
    }

    private func auto(_ addresses: [String], timeout: Double = 0.5) throws -> [String: ProbeResult] {
        try Prober.probe(addresses.map { ProbeTarget(address: $0, probes: [.auto]) },
                         options: ProbeOptions(timeout: timeout, retries: 1))
    }

    func testNmblookupAgreesWithOurRequest() throws {
        guard let nmblookup = TestNetwork.findTool("nmblookup") else { throw XCTSkip("nmblookup is not installed (samba-common-bin)") }
        let network = try XCTUnwrap(self.network)
        let text = try network.host([nmblookup, "-A", Self.winOn])
        XCTAssertTrue(text.contains("WINPC"), text)
    }

    func testPCThatIsOnBehindItsFirewallIsUpByNetBIOS() throws {
        let result = try XCTUnwrap(try auto([Self.winOn])[Self.winOn])
        XCTAssertTrue(result.up, "\(result)")
        XCTAssertEqual(result.probe, "arp+netbios")
        XCTAssertFalse(result.asleep)
    }

    func testPCWhoseNICAnswersARPOnlyIsAsleep() throws {
        let result = try XCTUnwrap(try auto([Self.asleep])[Self.asleep])
        XCTAssertFalse(result.up, "\(result)")
        XCTAssertTrue(result.asleep, "\(result)")
        XCTAssertFalse(result.unknown, "\(result)")
        XCTAssertEqual(result.error, Prober.asleepMessage)
        XCTAssertEqual("\(result)", "asleep (answers ARP only, no NetBIOS answer: asleep with ARP offload?)")
        // Asked for ARP explicitly, an ARP answer is enough: the way to keep a host that answers ARP only.
        let explicit = try Prober.probe([ProbeTarget(address: Self.asleep, probes: [.icmp, .arp])],
                                        options: ProbeOptions(timeout: 0.5, retries: 1))[Self.asleep]
        XCTAssertEqual(explicit?.up, true, "\(String(describing: explicit))")
        XCTAssertEqual(explicit?.probe, "arp")
    }

    func testHostThatRejectsUDPIsOnByItsPortUnreachable() throws {
        let result = try XCTUnwrap(try auto([Self.linux])[Self.linux])
        XCTAssertTrue(result.up, "\(result)")
        XCTAssertEqual(result.probe, "arp+netbios")
    }

    /// The budget: silent targets (no ARP answer) cost no NetBIOS round; an asleep one costs one chain.
    func testNetBIOSRoundRunsOnlyForARPOnlyAnswers() throws {
        let silent = (3...120).map { "10.87.2.\($0)" }
        let timeout = 1.0
        var started = Date()
        let quiet = try auto(silent, timeout: timeout)
        let silentSeconds = Date().timeIntervalSince(started)
        XCTAssertTrue(quiet.values.allSatisfy { !$0.up && !$0.asleep }, "nobody is there")
        // One chain is timeout x (retries + 1) = 2 s; a NetBIOS round would add another 2 s.
        XCTAssertLessThan(silentSeconds, 3.5, "no NetBIOS round when nobody answered ARP only")
        started = Date()
        let mixed = try auto(silent + [Self.asleep, Self.winOn], timeout: timeout)
        let mixedSeconds = Date().timeIntervalSince(started)
        XCTAssertEqual(mixed[Self.asleep]?.asleep, true)
        XCTAssertEqual(mixed[Self.winOn]?.up, true)
        XCTAssertLessThan(mixedSeconds, 6, "one extra chain at most: \(mixedSeconds) s")
        print(String(format: "ARPOffloadTests: 118 silent targets %.3f s; plus one asleep and one on (NetBIOS round) %.3f s",
                     silentSeconds, mixedSeconds))
    }
}
