import Foundation
@testable import NightShiftCore
import XCTest

/// Sweeps of thousands of targets count every reply: 3,000 and 10,000 distinct loopback
/// addresses (all of 127.0.0.0/8 answers inside the private namespace) are all up, and a reply
/// lost to our own socket never turns into a down host.
final class LargeSweepTests: XCTestCase {
    override func setUpWithError() throws {
        try TestNetwork.requirePrivateNamespace()
    }

    /// `count` distinct addresses 127.1.x.y, none of them 127.0.0.1.
    static func loopbackTargets(_ count: Int) -> [String] {
        (0..<count).map { "127.1.\($0 / 250 + 1).\($0 % 250 + 1)" }
    }

    private func assertAllUp(_ count: Int, bound: Double, kind: ICMPSocketKind = .automatic) throws {
        let targets = Self.loopbackTargets(count)
        let started = Date()
        let results = try Prober.sweep(targets, options: ProbeOptions(timeout: 1, retries: 1, icmpSocket: kind))
        let elapsed = Date().timeIntervalSince(started)
        let up = results.values.filter(\.up).count
        let notUp = results.filter { !$0.value.up }.prefix(3).map { "\($0.key): \($0.value)" }
        XCTAssertEqual(results.count, count)
        XCTAssertEqual(up, count, "\(kind): only \(up) of \(count) answering targets up, e.g. \(notUp)")
        XCTAssertLessThan(elapsed, bound, "\(kind): \(count) answering targets took \(elapsed) s")
        print("LargeSweepTests: \(count) answering loopback targets (\(kind)): \(up) up in \(String(format: "%.3f", elapsed)) s")
        if let fping = TestNetwork.findTool("fping") {
            let fpingStarted = Date()
            let output = try TestNetwork.run([fping, "-i", "0", "-r", "1", "-t", "1000"] + targets, allowFailure: true)
            let fpingElapsed = Date().timeIntervalSince(fpingStarted)
            let alive = output.split(separator: "\n").filter { $0.hasSuffix("is alive") }.count
            print("LargeSweepTests: fping on the same \(count) targets: \(alive) alive in \(String(format: "%.3f", fpingElapsed)) s")
        }
    }

    func testThreeThousandAnsweringTargetsAreAllUp() throws {
        try assertAllUp(3000, bound: 5)
    }

    func testTenThousandAnsweringTargetsAreAllUp() throws {
        try assertAllUp(10_000, bound: 8)
    }

    func testDatagramSocketsCountEveryReplyToo() throws {
        let network = TestNetwork()
        defer { network.tearDown() }
        try network.hostSysctl("net.ipv4.ping_group_range", "0 2147483647")
        try assertAllUp(3000, bound: 5, kind: .datagram)
    }
}
