import Foundation
@testable import NightShiftCore

/// The test network: peers that answer, drop silently, are absent, ignore ICMP with
/// and without a TCP listener, or are behind a router that reports "unreachable".
///
///     this namespace --va-- alpha   10.77.1.2 fd77:1::2 answers; 10.77.1.99 / fd77:1::99 owned by nobody
///                    --vs-- sink    10.77.2.2 routes 10.77.3.0/24 here, forwarding off: silent drop
///                    --vt-- tcpd    10.77.4.2 ignores ICMP, TCP listener on 8080
///                    --vq-- quiet   10.77.5.2 ignores ICMP, no listener
///                    --vr-- router  10.77.6.2 forwards; 10.77.7.0/24 and fd77:7::/64 are "unreachable" routes
///                    local unreachable route 10.77.9.0/24 (the send itself fails)
final class ClassificationLab {
    let network = TestNetwork()
    private(set) var listener: TestTCPListener?

    static let answering = ["127.0.0.1", "::1", "localhost", "10.77.1.2", "fd77:1::2"]
    static let silent = ["10.77.1.99", "fd77:1::99", "10.77.3.5", "10.77.4.2", "10.77.5.2"]
    static let unreachable = ["10.77.7.5", "fd77:7::5", "10.77.9.1"]
    static let unresolvable = "no-such-host.invalid"
    static let tcpPort: UInt16 = 8080

    init() throws {
        let alpha = try network.addPeer("alpha")
        try network.link(alpha, hostSide: "va", hostAddress: "10.77.1.1/24", peerAddress: "10.77.1.2/24",
                         hostIPv6: "fd77:1::1/64", peerIPv6: "fd77:1::2/64")

        let sink = try network.addPeer("sink")
        try network.link(sink, hostSide: "vs", hostAddress: "10.77.2.1/24", peerAddress: "10.77.2.2/24")
        try network.on(sink, ["sysctl", "-qw", "net.ipv4.ip_forward=0"])
        try network.host(["ip", "route", "add", "10.77.3.0/24", "via", "10.77.2.2"])

        let tcpd = try network.addPeer("tcpd")
        try network.link(tcpd, hostSide: "vt", hostAddress: "10.77.4.1/24", peerAddress: "10.77.4.2/24")
        try network.on(tcpd, ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"])
        let port = ClassificationLab.tcpPort
        listener = try TestNetwork.inNamespace(of: tcpd.pid) { try TestTCPListener(address: "10.77.4.2", port: port) }

        let quiet = try network.addPeer("quiet")
        try network.link(quiet, hostSide: "vq", hostAddress: "10.77.5.1/24", peerAddress: "10.77.5.2/24")
        try network.on(quiet, ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"])

        let router = try network.addPeer("router")
        try network.link(router, hostSide: "vr", hostAddress: "10.77.6.1/24", peerAddress: "10.77.6.2/24",
                         hostIPv6: "fd77:6::1/64", peerIPv6: "fd77:6::2/64")
        try network.on(router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        try network.on(router, ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
        try network.on(router, ["ip", "route", "add", "unreachable", "10.77.7.0/24"])
        try network.on(router, ["ip", "-6", "route", "add", "unreachable", "fd77:7::/64"])
        try network.host(["ip", "route", "add", "10.77.7.0/24", "via", "10.77.6.2"])
        try network.host(["ip", "-6", "route", "add", "fd77:7::/64", "via", "fd77:6::2"])

        try network.host(["ip", "route", "add", "unreachable", "10.77.9.0/24"])
        network.onTeardown(["ip", "route", "del", "unreachable", "10.77.9.0/24"])
        try waitUntilReachable(["10.77.1.2", "fd77:1::2", "10.77.6.2", "fd77:6::2"])
    }

    /// IPv6 addresses need a moment after the link comes up; probe until the peers answer.
    private func waitUntilReachable(_ addresses: [String]) throws {
        let deadline = Date().addingTimeInterval(5)
        var results: [String: ProbeResult] = [:]
        while Date() < deadline {
            results = try Prober.sweep(addresses, options: ProbeOptions(timeout: 0.2, retries: 0, icmpSocket: .raw))
            if results.values.allSatisfy(\.up) { return }
        }
        throw TestNetworkError("test peers did not come up: \(results)")
    }

    func tearDown() {
        listener = nil
        network.tearDown()
    }
}
