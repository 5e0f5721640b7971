import Foundation
import Glibc
@testable import NightShiftCore
import XCTest

/// Wake-on-LAN: parsing and packet layout, then real broadcasts decoded by tshark in a peer.
final class WakeOnLANTests: XCTestCase {
    func testMACFormats() throws {
        let expected: [UInt8] = [0xEE, 0x0A, 0xBB, 0x01, 0x02, 0xFF]
        for text in ["EE:0A:BB:01:02:FF", "ee-0a-bb-01-02-ff", "EE0ABB0102FF", " ee:0a:bb:01:02:ff "] {
            XCTAssertEqual(try MACAddress(parsing: text).bytes, expected, text)
        }
        XCTAssertEqual(try MACAddress(parsing: "EE-0A-BB-01-02-FF").description, "ee:0a:bb:01:02:ff")
        for bad in ["zz", "", "EE:0A:BB:01:02", "EE:0A:BB:01:02:FF:00", "EE:0A-BB:01:02:FF", "GG:0A:BB:01:02:FF", "E:0A:BB:01:02:FFF"] {
            XCTAssertThrowsError(try MACAddress(parsing: bad), bad) { error in
                XCTAssertEqual("\(error)", "invalid MAC address \"\(bad)\" (write it \(MACAddress.forms))")
            }
        }
    }

    func testMagicPacketLayout() throws {
        let mac = try MACAddress(parsing: "01:23:45:67:89:AB")
        let packet = try WakeOnLAN.magicPacket(for: mac)
        XCTAssertEqual(packet.count, 102)
        XCTAssertEqual(Array(packet[0..<6]), [UInt8](repeating: 0xFF, count: 6))
        for copy in 0..<16 {
            XCTAssertEqual(Array(packet[(6 + copy * 6)..<(12 + copy * 6)]), mac.bytes)
        }
        XCTAssertEqual(try WakeOnLAN.magicPacket(for: mac, password: [1, 2, 3, 4]).count, 106)
        XCTAssertEqual(Array(try WakeOnLAN.magicPacket(for: mac, password: [1, 2, 3, 4, 5, 6]).suffix(6)), [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try WakeOnLAN.magicPacket(for: mac, password: [1, 2, 3]))
    }

    func testPasswordFormatsAndSecrecy() throws {
        XCTAssertEqual(try WakeOnLAN.parsePassword("01:02:03:04:05:06"), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try WakeOnLAN.parsePassword("0A0B0C0D"), [10, 11, 12, 13])
        XCTAssertEqual(try WakeOnLAN.parsePassword("192.168.1.4"), [192, 168, 1, 4])
        XCTAssertThrowsError(try WakeOnLAN.parsePassword("secret-word")) { error in
            XCTAssertFalse("\(error)".contains("secret-word"), "the password must never be echoed")
        }
    }

    func testOptionErrors() throws {
        let mac = try MACAddress(parsing: "01:23:45:67:89:AB")
        XCTAssertThrowsError(try WakeOnLAN.send([mac], options: WakeOptions(broadcast: "fd00::1")))
        XCTAssertThrowsError(try WakeOnLAN.send([mac], options: WakeOptions(repeatCount: 0)))
        XCTAssertThrowsError(try WakeOnLAN.send([mac], options: WakeOptions(via: "not-an-ip")))
        XCTAssertEqual(try WakeOnLAN.send([], options: WakeOptions()), 0)
    }

    /// The port of the marker datagrams that prove a capture is live (the wakes go to 9 and 7).
    private static let markerPort: UInt16 = 5999

    /// Starts tshark in the peer and returns once it has decoded a marker datagram; returns its pid and output file.
    private func startCapture(_ network: TestNetwork, on peer: TestNetwork.Peer, peerAddress: String) throws -> (pid_t, String) {
        let output = NSTemporaryDirectory() + "nightshift-wol-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        let pid = try network.daemon(on: peer, [
            "tshark", "-l", "-n", "-i", "eth0", "-f", "udp", "-a", "duration:30",
            // WOL is a heuristic dissector; let it win over port 7's "echo".
            "-o", "udp.try_heuristic_first:TRUE",
            "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.dstport",
            "-e", "wol.mac", "-e", "wol.passwd", "-e", "udp.payload",
        ], outputFile: output)
        // dumpcap says "Capture started" before its filter is attached, so only a packet it
        // decoded proves the capture is live: send markers until one shows up (bounded).
        let marker = try MACAddress(parsing: "02:00:00:00:00:01")
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            _ = try WakeOnLAN.send([marker], options: WakeOptions(broadcast: peerAddress, port: Self.markerPort, repeatCount: 1))
            if captures(output).contains(where: { $0.port == String(Self.markerPort) }) { return (pid, output) }
            guard network.daemonIsRunning(pid) else {
                throw TestNetworkError("tshark ended before it captured a marker datagram: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "(no output file)")")
            }
            usleep(100_000)
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? "(no output file)"
        network.stopDaemon(pid)
        throw TestNetworkError("tshark did not capture a marker datagram within 15 s: \(text)")
    }

    private func captures(_ file: String) -> [WakeCapture] {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { $0.contains("|") }.map(WakeCapture.init)
    }

    /// The wakes (markers left out) the capture decoded, once `expected` arrived or 10 s passed; stops tshark.
    private func capturedWakes(_ file: String, network: TestNetwork, pid: pid_t, expected: Int) -> [WakeCapture] {
        func wakes() -> [WakeCapture] { captures(file).filter { $0.port != String(Self.markerPort) } }
        let deadline = Date().addingTimeInterval(10)
        while wakes().count < expected, Date() < deadline, network.daemonIsRunning(pid) { usleep(20_000) }
        network.stopDaemon(pid)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return wakes()
    }

    /// tshark, which no one here wrote, decodes our packets as Wake-on-LAN with the right MAC and password.
    func testTsharkDecodesOurPackets() throws {
        try TestNetwork.requirePrivateNamespace()
        guard TestNetwork.findTool("tshark") != nil else {
            throw XCTSkip("tshark is not installed (scripts/test-network installs it with apt-get)")
        }
        let network = TestNetwork()
        defer { network.tearDown() }
        let sleeper = try network.addPeer("sleeper")
        try network.link(sleeper, hostSide: "vw", hostAddress: "10.78.1.1/24", peerAddress: "10.78.1.2/24")
        let macs = [try MACAddress(parsing: "EE-EE-EE-01-02-03"), try MACAddress(parsing: "0a:1b:2c:3d:4e:5f")]

        // Limited broadcast, leaving through the NIC that owns `via`, with a 6-byte SecureOn password.
        var (pid, file) = try startCapture(network, on: sleeper, peerAddress: "10.78.1.2")
        let sent = try WakeOnLAN.send(macs, options: WakeOptions(via: "10.78.1.1", password: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(sent, 6)
        var lines = capturedWakes(file, network: network, pid: pid, expected: 6)
        XCTAssertEqual(lines.count, 6, "\(lines)")
        for mac in macs {
            XCTAssertEqual(lines.filter { $0.macs == [String](repeating: mac.description, count: 16) }.count, 3,
                           "three packets, each with 16 copies of \(mac): \(lines)")
        }
        for line in lines {
            XCTAssertEqual([line.source, line.destination, line.port], ["10.78.1.1", "255.255.255.255", "9"])
            // tshark's password field holds its display text, so check that it decoded one and
            // that the bytes after the 16 MACs are exactly the password.
            XCTAssertFalse(line.passwordField.isEmpty, "tshark saw no SecureOn password")
            XCTAssertEqual(line.payload.count, 2 * 108)
            XCTAssertTrue(line.payload.hasSuffix("010203040506"), line.payload)
        }

        // Directed broadcast on port 7 through a named interface, one packet, 4-byte password.
        (pid, file) = try startCapture(network, on: sleeper, peerAddress: "10.78.1.2")
        XCTAssertEqual(try WakeOnLAN.send([macs[0]], options: WakeOptions(
            broadcast: "10.78.1.255", port: 7, interface: "vw", password: [9, 8, 7, 6], repeatCount: 1)), 1)
        lines = capturedWakes(file, network: network, pid: pid, expected: 1)
        XCTAssertEqual(lines.count, 1, "\(lines)")
        let line = try XCTUnwrap(lines.first)
        XCTAssertEqual([line.source, line.destination, line.port], ["10.78.1.1", "10.78.1.255", "7"])
        XCTAssertEqual(line.macs, [String](repeating: "ee:ee:ee:01:02:03", count: 16))
        XCTAssertFalse(line.passwordField.isEmpty)
        XCTAssertEqual(line.payload.count, 2 * 106)
        XCTAssertTrue(line.payload.hasSuffix("09080706"), line.payload)
    }
}

/// One packet as tshark decoded it: `ip.src|ip.dst|udp.dstport|wol.mac,...|wol.passwd|udp.payload`.
private struct WakeCapture: CustomStringConvertible {
    let source: String
    let destination: String
    let port: String
    let macs: [String]
    let passwordField: String
    let payload: String

    init(_ line: String) {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
        source = field(0)
        destination = field(1)
        port = field(2)
        macs = field(3).split(separator: ",").map(String.init)
        passwordField = field(4)
        payload = field(5).replacingOccurrences(of: ":", with: "").lowercased()
    }

    var description: String { "\(source)->\(destination):\(port) macs=\(macs.first ?? "-")x\(macs.count)" }
}
