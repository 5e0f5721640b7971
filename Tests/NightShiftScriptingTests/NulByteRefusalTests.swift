import Foundation
import NightShiftScripting
import XCTest

/// A NUL byte cuts a string short at the system call; check refuses it where it is written.
final class NulByteRefusalTests: XCTestCase {
    func testNulBytesInPathsArgvAndEnvAreRefusedWithTheirLines() throws {
        let f = try ScriptFixture()
        let p = try f.problems("""
            settings { self = "Nas", log_file = "log\\0.txt", state_dir = "st\\0ate" }
            host "Nas" { }
            job "J" { source = "Nas", target = "Nas", time_sync = "none",
              run = { "true", "a\\0b" }, env = { X = "1\\0" } }
            """)
        XCTAssertEqual(p.count, 4, "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:1: settings: log_file: must not contain a NUL byte") }, "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("site.lua:1: settings: state_dir: must not contain a NUL byte") }, "\(p)")
        XCTAssertTrue(p.contains { $0.contains("run: argv item 2 contains a NUL byte") }, "\(p)")
        XCTAssertTrue(p.contains { $0.contains("env: env X contains a NUL byte") }, "\(p)")
    }
}
