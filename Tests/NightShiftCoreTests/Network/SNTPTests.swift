import Foundation
import Glibc
@testable import NightShiftCore
import XCTest

/// SNTP arithmetic and validation, then real exchanges: chronyd cross-checked with sntp and
/// ntpdate, and test servers with a known skew.
final class SNTPTests: XCTestCase {
    // MARK: pure

    func testTimestampRoundTripAndEras() {
        let now = 1_795_000_000.25
        XCTAssertEqual(NTPTimestamp(unixTime: now).unixTime(near: now), now, accuracy: 1e-6)
        // 2036-02-07 06:28:16 UTC: NTP era 0 ends, the seconds field wraps to 0.
        let eraBoundary = 2_085_978_496.0
        let afterWrap = NTPTimestamp(unixTime: eraBoundary + 100)
        XCTAssertEqual(afterWrap.seconds, 100)
        XCTAssertEqual(afterWrap.unixTime(near: eraBoundary - 50), eraBoundary + 100, accuracy: 1e-6)
        let beforeWrap = NTPTimestamp(unixTime: eraBoundary - 100)
        XCTAssertEqual(beforeWrap.seconds, UInt32.max - 99)
        XCTAssertEqual(beforeWrap.unixTime(near: eraBoundary + 50), eraBoundary - 100, accuracy: 1e-6)
        XCTAssertEqual(NTPTimestamp(seconds: 3_913_056_000, fraction: 1 << 31).unixTime(near: now),
                       3_913_056_000.5 - NTPTimestamp.unixOffset, accuracy: 1e-6)
    }

    private func packet(leap: UInt8 = 0, mode: UInt8 = 4, stratum: UInt8 = 2, t2: Double, t3: Double,
                        reference: [UInt8] = [10, 0, 0, 1]) -> SNTPPacket {
        var bytes = [UInt8](repeating: 0, count: 48)
        bytes[0] = leap << 6 | 4 << 3 | mode
        bytes[1] = stratum
        bytes.replaceSubrange(12..<16, with: reference)
        bytes.replaceSubrange(32..<40, with: NTPTimestamp(unixTime: t2).bytes)
        bytes.replaceSubrange(40..<48, with: NTPTimestamp(unixTime: t3).bytes)
        return SNTPPacket(bytes: bytes)!
    }

    func testOffsetAndDelayFromTheFourTimestamps() throws {
        // Server 2.5 s ahead, 10 ms each way, 1 ms inside the server; after this build's date,
        // as every answer must be (invariant 13).
        let t1 = ClockPlausibility.buildDate + 1_000_000
        let sample = try SNTPClient.sample(from: packet(t2: t1 + 0.010 + 2.5, t3: t1 + 0.011 + 2.5),
                                           server: "s", sentAt: t1, receivedAt: t1 + 0.021)
        XCTAssertEqual(sample.offset, 2.5, accuracy: 1e-6)
        XCTAssertEqual(sample.delay, 0.020, accuracy: 1e-6)
        XCTAssertEqual(sample.stratum, 2)
        XCTAssertEqual(sample.time, t1 + 0.021 + 2.5, accuracy: 1e-6)
        XCTAssertEqual(sample.referenceID, "10.0.0.1")
    }

    func testReplyValidation() {
        let t1 = 1_795_000_000.0
        func check(_ packet: SNTPPacket, _ expected: SNTPError) {
            XCTAssertThrowsError(try SNTPClient.sample(from: packet, server: "s", sentAt: t1, receivedAt: t1 + 0.01)) {
                XCTAssertEqual($0 as? SNTPError, expected)
            }
        }
        check(packet(mode: 3, t2: t1, t3: t1), .invalidReply(server: "s", reason: "mode 3, expected 4 (server)"))
        check(packet(leap: 3, stratum: 0, t2: t1, t3: t1, reference: Array("RATE".utf8)), .kissOfDeath(server: "s", code: "RATE"))
        check(packet(leap: 3, t2: t1, t3: t1), .unsynchronized(server: "s"))
        check(packet(t2: t1, t3: 0 - NTPTimestamp.unixOffset), .invalidReply(server: "s", reason: "zero receive or transmit timestamp"))
    }

    // MARK: real exchanges

    func testSkewedServersAreMeasuredWithinHalfTheDelay() throws {
        try TestNetwork.requirePrivateNamespace()
        for skew in [2.5, -0.3] {
            let server = try TestSNTPServer(behaviour: .skewed(skew))
            defer { server.stop() }
            let sample = try SNTPClient.query(server: "127.0.0.1", port: server.port, timeout: 2)
            XCTAssertEqual(sample.offset, skew, accuracy: sample.delay / 2 + 1e-6, "skew \(skew): \(sample)")
            XCTAssertLessThan(sample.delay, 0.05)
            XCTAssertEqual(sample.time, NetSys.realtime() + skew, accuracy: 0.1)
        }
    }

    func testInvalidRepliesAreErrors() throws {
        try TestNetwork.requirePrivateNamespace()
        let cases: [(TestSNTPServer.Behaviour, (SNTPError) -> Bool)] = [
            (.kissOfDeath("DENY"), { $0 == .kissOfDeath(server: "127.0.0.1", code: "DENY") }),
            (.leapUnsynchronized, { $0 == .unsynchronized(server: "127.0.0.1") }),
            (.wrongMode, { if case .invalidReply = $0 { return true } else { return false } }),
            // A reply that does not echo our timestamp is ignored: no answer, so a timeout.
            (.wrongOriginate, { $0 == .timeout(server: "127.0.0.1", seconds: 0.5) }),
        ]
        for (behaviour, matches) in cases {
            let server = try TestSNTPServer(behaviour: behaviour)
            defer { server.stop() }
            XCTAssertThrowsError(try SNTPClient.query(server: "127.0.0.1", port: server.port, timeout: 0.5)) { error in
                XCTAssertTrue((error as? SNTPError).map(matches) ?? false, "\(behaviour): \(error)")
            }
        }
    }

    func testNoServerIsAnErrorNotAHang() throws {
        try TestNetwork.requirePrivateNamespace()
        let started = Date()
        // Nothing listens on 127.0.0.1:9: the ICMP port-unreachable ends the wait at once.
        XCTAssertThrowsError(try SNTPClient.query(server: "127.0.0.1", port: 9, timeout: 3)) { error in
            XCTAssertEqual(error as? SNTPError, .unreachable(server: "127.0.0.1", reason: "connection refused"))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertThrowsError(try SNTPClient.query(server: "no-such-host.invalid")) { error in
            guard case .unresolvable = error as? SNTPError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SNTPClient.query(server: "127.0.0.1", timeout: 0))
    }

    /// Parses "... (+0000) +0.000020 +/- 0.000134 host s8 no-leap", the line sntp and ntpdate -q print.
    /// "OFFSET +/- BOUND" from sntp/ntpdig output: the offset and the tool's own error bound.
    private func measurement(fromToolOutput text: String) -> (offset: Double, bound: Double)? {
        for line in text.split(separator: "\n") where line.contains("+/-") {
            let words = line.split(separator: " ")
            if let index = words.firstIndex(of: "+/-"), index > 0, index + 1 < words.count,
               let offset = Double(words[index - 1]), let bound = Double(words[index + 1]) {
                return (offset, bound)
            }
        }
        return nil
    }

    /// Two measurements of one clock agree within both error bounds (half a round trip
    /// each), which on two busy cores can exceed a millisecond.
    private func agreement(_ ours: SNTPSample, _ toolBound: Double) -> Double {
        ours.delay / 2 + toolBound + 0.001
    }

    /// Ours against chronyd on a peer, and against sntp and ntpdate, tools no one here wrote.
    func testAgreesWithSntpAndNtpdateAgainstChronyd() throws {
        try TestNetwork.requirePrivateNamespace()
        for tool in ["chronyd", "sntp", "ntpdate"] where TestNetwork.findTool(tool) == nil {
            throw XCTSkip("\(tool) is not installed (scripts/test-network installs it with apt-get)")
        }
        let network = TestNetwork()
        defer { network.tearDown() }
        let peer = try network.addPeer("timesrv")
        try network.link(peer, hostSide: "vn", hostAddress: "10.80.1.1/24", peerAddress: "10.80.1.2/24")
        let folder = NSTemporaryDirectory() + "nightshift-chrony-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = """
            local stratum 8
            allow all
            port 123
            cmdport 0
            pidfile \(folder)/chronyd.pid
            driftfile \(folder)/drift
            """
        try config.write(toFile: folder + "/chrony.conf", atomically: true, encoding: .utf8)
        // -x: serve time but never touch the (shared, real) clock.
        try network.daemon(on: peer, ["chronyd", "-d", "-x", "-f", folder + "/chrony.conf"], outputFile: folder + "/log")

        var ours: SNTPSample?
        let deadline = Date().addingTimeInterval(10)
        while ours == nil, Date() < deadline {
            ours = try? SNTPClient.query(server: "10.80.1.2", timeout: 0.5)
            if ours == nil { usleep(100_000) }
        }
        let sample = try XCTUnwrap(ours, "chronyd did not answer: \((try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? "")")
        XCTAssertEqual(sample.stratum, 8)
        let sntpText = try network.host(["sntp", "-t", "2", "10.80.1.2"], allowFailure: true)
        let ntpdateText = try network.host(["ntpdate", "-q", "10.80.1.2"], allowFailure: true)
        let sntp = try XCTUnwrap(measurement(fromToolOutput: sntpText), sntpText)
        let ntpdate = try XCTUnwrap(measurement(fromToolOutput: ntpdateText), ntpdateText)
        let again = try SNTPClient.query(server: "10.80.1.2")
        XCTAssertEqual(sample.offset, sntp.offset, accuracy: agreement(sample, sntp.bound))
        XCTAssertEqual(again.offset, ntpdate.offset, accuracy: agreement(again, ntpdate.bound))
    }

    /// The skewed test server on port 123 of a peer: sntp and ntpdate read the same offset we do.
    func testAgreesWithNtpdateOnASkewedServer() throws {
        try TestNetwork.requirePrivateNamespace()
        guard TestNetwork.findTool("ntpdate") != nil else { throw XCTSkip("ntpdate is not installed") }
        let network = TestNetwork()
        defer { network.tearDown() }
        let peer = try network.addPeer("skewed")
        try network.link(peer, hostSide: "vk", hostAddress: "10.80.2.1/24", peerAddress: "10.80.2.2/24")
        let server = try TestNetwork.inNamespace(of: peer.pid) {
            try TestSNTPServer(address: "10.80.2.2", port: 123, behaviour: .skewed(2.5))
        }
        defer { server.stop() }
        let sample = try SNTPClient.query(server: "10.80.2.2", timeout: 2)
        XCTAssertEqual(sample.offset, 2.5, accuracy: sample.delay / 2 + 1e-6)
        let text = try network.host(["ntpdate", "-q", "10.80.2.2"], allowFailure: true)
        let tool = try XCTUnwrap(measurement(fromToolOutput: text), text)
        XCTAssertEqual(tool.offset, sample.offset, accuracy: agreement(sample, tool.bound))
    }
}
