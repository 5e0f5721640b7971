import Foundation
import XCTest

/// `ns.defer.ups` against NUT's real upsd and dummy-ups driver on loopback inside the test's
/// private namespace: on battery or low it defers naming the charge; back on line it goes;
/// without an answer it defers saying why.
final class DeferUPSTests: XCTestCase {
    private let job = #"job "Job" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }"#

    private func automatic(_ n: ObservedNight) throws -> Int32? {
        try n.run(["run", n.f.dir + "/site.lua", "--once"]).code
    }

    private func lastDecision(_ n: ObservedNight) -> String {
        n.log.components(separatedBy: "\n").last { $0.contains("Decision: ") } ?? ""
    }

    func testOnBatteryDefersLowBatteryDefersAndOnLineGoes() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let nut = try NUTServer(in: n.f.dir, status: "OB DISCHRG", charge: 54)
        try n.site(settings: "defer = { ns.defer.ups { ups = \"\(nut.name)\" } }", job)
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(lastDecision(n).hasSuffix("Decision: no backup - deferred - UPS \(nut.name) on battery, 54 %"), n.log)
        XCTAssertFalse(n.log.contains("Job Job"), n.log)
        let status = try n.run(["status", n.f.dir + "/site.lua"]).output
        XCTAssertTrue(status.contains("deferred - UPS \(nut.name) on battery, 54 %"), status)

        try nut.set(status: "OB LB", charge: 8)
        XCTAssertTrue(nut.waitFor(status: "OB LB"), nut.logs)
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(lastDecision(n).hasSuffix("Decision: no backup - deferred - UPS \(nut.name) battery low, 8 %"), n.log)

        try nut.set(status: "OL CHRG", charge: 60)
        XCTAssertTrue(nut.waitFor(status: "OL CHRG"), nut.logs)
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(n.log.contains("Defer check UPS \(nut.name): go (UPS \(nut.name) OL CHRG, 60 %)"), n.log)
        XCTAssertTrue(lastDecision(n).contains("Decision: back up"), n.log)
        XCTAssertTrue(n.log.contains("Night done: all jobs ok"), n.log)
    }

    func testAnUpsdThatDoesNotAnswerDefersSayingWhyAndManualStillRuns() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let nut = try NUTServer(in: n.f.dir, status: "OL", charge: 100)
        nut.stop()
        try n.site(settings: "defer = { ns.defer.ups { ups = \"\(nut.name)\" } }", job)
        XCTAssertEqual(try automatic(n), 0, n.log)
        XCTAssertTrue(lastDecision(n).contains("Decision: no backup - deferred - cannot tell (UPS \(nut.name): upsc \(nut.name): Error: Connection failure"),
                      n.log)
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertTrue(lastDecision(n).hasSuffix("Decision: back up - manual run"), n.log)
    }
}
