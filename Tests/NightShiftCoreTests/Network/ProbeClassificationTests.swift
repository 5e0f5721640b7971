import Foundation
@testable import NightShiftCore
import XCTest

/// ns.ping against real peers in private namespaces: each kind of host is classified right,
/// for both ICMP socket kinds and for the TCP probe, and agrees with fping.
final class ProbeClassificationTests: XCTestCase {
    private var lab: ClassificationLab?

    override func setUpWithError() throws {
        try TestNetwork.requirePrivateNamespace()
        lab = try ClassificationLab()
    }

    override func tearDown() {
        lab?.tearDown()
        lab = nil
    }

    private var allTargets: [String] {
        ClassificationLab.answering + ClassificationLab.silent + ClassificationLab.unreachable
            + [ClassificationLab.unresolvable]
    }

    private func assertICMPClassification(kind: ICMPSocketKind, file: StaticString = #filePath, line: UInt = #line) throws {
        let options = ProbeOptions(timeout: 0.5, retries: 1, icmpSocket: kind)
        let started = Date()
        let results = try Prober.sweep(allTargets, options: options)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(Set(results.keys), Set(allTargets), file: file, line: line)
        for target in ClassificationLab.answering {
            XCTAssertEqual(results[target]?.up, true, "\(target) should be up: \(String(describing: results[target]))", file: file, line: line)
            XCTAssertNotNil(results[target]?.rttMilliseconds, file: file, line: line)
            XCTAssertLessThan(results[target]?.rttMilliseconds ?? 1e9, 100, file: file, line: line)
        }
        for target in ClassificationLab.silent {
            XCTAssertEqual(results[target]?.up, false, "\(target) should be down", file: file, line: line)
            XCTAssertEqual(results[target]?.error, "no reply", file: file, line: line)
        }
        for target in ClassificationLab.unreachable {
            XCTAssertEqual(results[target]?.up, false, "\(target) should be down", file: file, line: line)
            let error = results[target]?.error ?? ""
            XCTAssertTrue(error.contains("unreachable") || error.contains("no route"), "\(target): \(error)", file: file, line: line)
        }
        let unresolved = results[ClassificationLab.unresolvable]
        XCTAssertEqual(unresolved?.up, false, file: file, line: line)
        XCTAssertTrue(unresolved?.error?.contains("cannot resolve") == true, file: file, line: line)
        // Two attempts of 0.5 s for the silent hosts, all in parallel: one timeout chain.
        XCTAssertGreaterThan(elapsed, 0.95, file: file, line: line)
        XCTAssertLessThan(elapsed, 1.5, file: file, line: line)
    }

    func testRawSocketClassification() throws {
        try assertICMPClassification(kind: .raw)
    }

    func testDatagramSocketClassification() throws {
        try lab!.network.hostSysctl("net.ipv4.ping_group_range", "0 2147483647")
        try assertICMPClassification(kind: .datagram)
    }

    func testAutomaticFallsBackToRawWhenPingGroupRangeForbids() throws {
        try lab!.network.hostSysctl("net.ipv4.ping_group_range", "1 0")
        XCTAssertThrowsError(try Prober.sweep(["127.0.0.1"], options: ProbeOptions(icmpSocket: .datagram))) { error in
            XCTAssertTrue("\(error)".contains("net.ipv4.ping_group_range"), "\(error)")
        }
        XCTAssertEqual(try Prober.sweep(["127.0.0.1"], options: ProbeOptions(icmpSocket: .automatic))["127.0.0.1"]?.up, true)
    }

    func testUnreachableIsDownBeforeTheTimeout() throws {
        for kind in [ICMPSocketKind.raw, .datagram] {
            if kind == .datagram { try lab!.network.hostSysctl("net.ipv4.ping_group_range", "0 2147483647") }
            let started = Date()
            let results = try Prober.sweep(ClassificationLab.unreachable,
                                           options: ProbeOptions(timeout: 3, retries: 2, icmpSocket: kind))
            let elapsed = Date().timeIntervalSince(started)
            XCTAssertTrue(results.values.allSatisfy { !$0.up }, "\(kind): \(results)")
            XCTAssertEqual(results["10.77.7.5"]?.error, "host unreachable from 10.77.6.2", "\(kind)")
            XCTAssertEqual(results["fd77:7::5"]?.error, "no route to destination from fd77:6::2", "\(kind)")
            XCTAssertEqual(results["10.77.9.1"]?.error, "no route to host", "\(kind)")
            // Our own routing table refused the send: unknown. A router's answer: really down.
            XCTAssertEqual(results["10.77.9.1"]?.unknown, true, "\(kind)")
            XCTAssertEqual(results["10.77.7.5"]?.unknown, false, "\(kind)")
            XCTAssertEqual(results["fd77:7::5"]?.unknown, false, "\(kind)")
            XCTAssertLessThan(elapsed, 1.0, "\(kind): unreachable must not wait for the 3 s timeout")
        }
    }

    func testTCPProbeClassification() throws {
        let targets = ["127.0.0.1", "10.77.1.2", "10.77.4.2", "10.77.5.2", "10.77.1.99", "10.77.3.5", "10.77.7.5", "10.77.9.1"]
        let started = Date()
        let results = try Prober.sweep(targets, options: ProbeOptions(timeout: 0.5, retries: 1, tcpPort: ClassificationLab.tcpPort))
        let elapsed = Date().timeIntervalSince(started)
        // Connected (tcpd) or refused (the others that exist) both mean the host is there.
        for target in ["127.0.0.1", "10.77.1.2", "10.77.4.2", "10.77.5.2"] {
            XCTAssertEqual(results[target]?.up, true, "\(target): \(String(describing: results[target]))")
            XCTAssertNotNil(results[target]?.rttMilliseconds)
        }
        for target in ["10.77.1.99", "10.77.3.5"] {
            XCTAssertEqual(results[target], ProbeResult(up: false, error: "no reply"), target)
        }
        XCTAssertEqual(results["10.77.7.5"]?.up, false)
        XCTAssertEqual(results["10.77.7.5"]?.error, "no route to host")
        XCTAssertEqual(results["10.77.9.1"]?.error, "no route to host")
        XCTAssertEqual(results["10.77.9.1"]?.unknown, true, "connect refused by our own routing table")
        XCTAssertEqual(results["10.77.7.5"]?.unknown, false, "a router's unreachable is an answer about the host")
        XCTAssertLessThan(elapsed, 1.5)
    }

    func testViaBindsTheSourceAddress() throws {
        let results = try Prober.sweep(["10.77.1.2"], options: ProbeOptions(timeout: 0.5, via: "10.77.1.1"))
        XCTAssertEqual(results["10.77.1.2"]?.up, true)
        // An IPv6 target cannot be reached from an IPv4 source: a result, not an exception.
        let mixed = try Prober.sweep(["fd77:1::2"], options: ProbeOptions(timeout: 0.5, via: "10.77.1.1"))
        XCTAssertEqual(mixed["fd77:1::2"]?.up, false)
        XCTAssertEqual(mixed["fd77:1::2"]?.unknown, true)
        XCTAssertTrue(mixed["fd77:1::2"]?.error?.contains("not an IPv6 address") == true)
        // A source address on no NIC: the probe cannot be made here, so the target is unknown.
        let elsewhere = try Prober.sweep(["10.77.1.2"], options: ProbeOptions(via: "10.99.99.99"))
        XCTAssertEqual(elsewhere["10.77.1.2"]?.unknown, true)
        XCTAssertTrue(elsewhere["10.77.1.2"]?.error?.contains("invalid source address \"10.99.99.99\"") == true,
                      "\(String(describing: elsewhere["10.77.1.2"]))")
        // Not an address at all: a bad option.
        XCTAssertThrowsError(try Prober.sweep(["10.77.1.2"], options: ProbeOptions(via: "eth0"))) { error in
            XCTAssertEqual("\(error)", "field 'via' must be a numeric IPv4 or IPv6 address, not \"eth0\"")
        }
    }

    func testIsUp() throws {
        XCTAssertTrue(try Prober.isUp("10.77.1.2", options: ProbeOptions(timeout: 0.5)))
        XCTAssertFalse(try Prober.isUp("10.77.3.5", options: ProbeOptions(timeout: 0.2, retries: 0)))
    }

    /// Cross-check with a tool no one here wrote: fping must see the same up/down set.
    func testAgreesWithFping() throws {
        guard TestNetwork.findTool("fping") != nil else {
            throw XCTSkip("fping is not installed (scripts/test-network installs it with apt-get)")
        }
        let targets = ClassificationLab.answering.filter { $0 != "localhost" } + ClassificationLab.silent
            + ClassificationLab.unreachable
        let output = try lab!.network.host(["fping", "-r", "1", "-t", "500"] + targets, allowFailure: true)
        var fpingUp = Set<String>()
        var fpingSeen = Set<String>()
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let host = words.first.map(String.init), targets.contains(host) else { continue }
            fpingSeen.insert(host)
            if line.hasSuffix("is alive") { fpingUp.insert(host) }
        }
        XCTAssertEqual(fpingSeen, Set(targets), "fping output: \(output)")
        let ours = try Prober.sweep(targets, options: ProbeOptions(timeout: 0.5, retries: 1))
        XCTAssertEqual(Set(ours.filter { $0.value.up }.keys), fpingUp)
        XCTAssertEqual(fpingUp, Set(ClassificationLab.answering.filter { $0 != "localhost" }))
    }
}
