import Foundation
import NightShiftScripting
import XCTest

/// `check` warns about watched hosts whose probes cannot see a Windows PC that is on behind its
/// default firewall (it answers neither ping nor TCP with file sharing off); a warning never
/// changes check's exit status.
final class ProbeWarningCheckTests: XCTestCase {
    /// `check`'s output for a site of this machine "Nas" plus `hosts`; a warning must not fail it.
    static func check(hosts: String, nasProbe: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", """
            local ns = require "nightshift"
            settings { self = "Nas" }
            host "Nas" { \(nasProbe) }
            \(hosts)
            """)
        let r = try NightShiftBinary.run(["check", path])
        XCTAssertEqual(r.status, 0, "a warning does not fail check: \(r.output)", file: file, line: line)
        return r.output
    }

    func testTCPOrICMPOnlyOnAWatchedHostWarnsAndCheckStillPasses() throws {
        let output = try Self.check(hosts: """
            host "Share" { ip = "10.0.0.2", probe = "tcp:445" }
            host "Pinged" { ip = "10.0.0.3", probe = { "icmp", "tcp:22" } }
            host "Server" { ip = "10.0.0.4", probe = "icmp", watch = false }
            host "Arped" { ip = "10.0.0.5", probe = { "icmp", "arp" } }
            """, nasProbe: "probe = \"icmp\"")
        XCTAssertTrue(output.contains(
            "warning: host Share: probe \"tcp:445\" cannot see a Windows PC behind its default firewall (it answers neither ping nor TCP when file sharing is off); if Share is one, use \"auto\""),
            output)
        XCTAssertTrue(output.contains("warning: host Pinged: probe { \"icmp\", \"tcp:22\" } cannot see a Windows PC"), output)
        for quiet in ["Nas", "Server", "Arped"] {
            XCTAssertFalse(output.contains("warning: host \(quiet):"), "\(quiet): this machine, not watched, or asked by ARP: \(output)")
        }
    }
}

/// A routed office: `"auto"` cannot add ARP for an address behind a gateway, so `check` says
/// which TCP ports to add. Runs in the private namespace (it makes a link and a route there).
final class RoutedOfficeCheckTests: XCTestCase {
    private func sh(_ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("cannot build the routed office here: \(command)") }
    }

    override func tearDown() {
        try? sh("ip link del rt0 2>/dev/null; true")
    }

    func testAutoBehindAGatewayWarnsWithThePortsToAdd() throws {
        guard ProcessInfo.processInfo.environment["NIGHTSHIFT_PRIVATE_NETNS"] == "1" else {
            throw XCTSkip("makes a link and a route: run it in a private namespace (scripts/test-network)")
        }
        // rt0's subnet is on-link; 10.94.0.0/16 is routed through 10.93.0.254 on it. No packet is sent.
        try sh("ip link add rt0 type veth peer name rt1 && ip addr add 10.93.0.1/24 dev rt0 && ip link set rt0 up && ip link set rt1 up")
        try sh("ip route add 10.94.0.0/16 via 10.93.0.254")
        let output = try ProbeWarningCheckTests.check(hosts: """
            host "Upstairs" { ip = "10.94.1.5" }
            host "Local" { ip = "10.93.0.7" }
            host "Covered" { ip = "10.94.1.6", probe = { "auto", "tcp:445" } }
            """)
        XCTAssertTrue(output.contains(
            "warning: host Upstairs: \"auto\" cannot use ARP for 10.94.1.5 from this machine (not on-link: 10.94.1.5 is routed through 10.93.0.254"),
            output)
        XCTAssertTrue(output.contains("add TCP ports it answers, e.g. probe = { \"auto\", \"tcp:445\", \"tcp:3389\" }"), output)
        XCTAssertFalse(output.contains("warning: host Local:"), "on-link: ARP reaches it: \(output)")
        XCTAssertFalse(output.contains("warning: host Covered:"), "already asks a TCP port: \(output)")
    }
}
