import Foundation
import NightShiftScripting
import XCTest

/// A NAS whose script forgets `self` but lists its own address is recognised by its
/// interfaces' addresses: it neither watches nor waits for itself, and `check` says so;
/// when several hosts have addresses of this machine, the script is refused naming `self`.
final class SelfRecognitionTests: XCTestCase {
    private let job = #"job "J" { source = "Nas", target = "Backup", time_sync = "none", run = { "true" } }"#
    private let backup = #"host "Backup" { ip = "192.0.2.10", mac = "02:00:00:00:00:10", actions = { suspend = { "true" } } }"#

    func testAHostWithThisMachinesAddressIsSelfWhenNoneIsSet() throws {
        let f = try ScriptFixture()
        let text = """
            settings { check_every = "1h" }
            host "Nas" { ip = "127.0.0.1" }
            \(backup)
            host "Pc" { ip = "192.0.2.20" }
            \(job)
            """
        let path = try f.write("site.lua", text)
        let runtime = try f.runtime()
        let settings = try runtime.loadSite(path: path, source: Array(text.utf8))
        XCTAssertEqual(settings.watched, ["Backup", "Pc"], "this machine never watches itself")
        let plan = try runtime.plan().joined(separator: "\n")
        XCTAssertTrue(plan.contains("this machine: Nas (recognised by its address 127.0.0.1: settings.self was not set)"), plan)
        XCTAssertTrue(plan.contains("Nas          ip 127.0.0.1"), plan)
    }

    func testAnExplicitSelfIsKeptAndNoAddressMatchChangesNothing() throws {
        let f = try ScriptFixture()
        let named = """
            settings { self = "Backup" }
            host "Nas" { ip = "127.0.0.1" }
            \(backup)
            """
        let path = try f.write("site.lua", named)
        let runtime = try f.runtime()
        XCTAssertEqual(try runtime.loadSite(path: path, source: Array(named.utf8)).watched, ["Nas"])
        let plain = "host \"Pc\" { ip = \"192.0.2.20\" }\n"
        let other = try f.runtime()
        XCTAssertEqual(try other.loadSite(path: try f.write("site.lua", plain), source: Array(plain.utf8)).watched, ["Pc"])
        XCTAssertTrue(try other.plan().joined(separator: "\n").contains("this machine: (not declared)"))
    }

    func testTwoHostsWithThisMachinesAddressesAreRefusedNamingSelf() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            host "Nas" { ip = "127.0.0.1" }
            host "Nas2" { ip = { "192.0.2.1", "::1" } }
            """)
        XCTAssertEqual(p.count, 1, "\(p)")
        let message = p.first ?? ""
        XCTAssertTrue(message.hasPrefix("site.lua:2: settings: self is not set"), message)
        XCTAssertTrue(message.contains("\"Nas\" (127.0.0.1), \"Nas2\" (::1)") && message.contains("settings { self = \"Nas\" }"), message)
    }
}
