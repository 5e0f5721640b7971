import Foundation
import NightShiftScripting
import XCTest

/// `--debug` traces: what an admin reads must be the argv as it runs.
final class DebugTraceTests: XCTestCase {
    func testDebugShowsArgvInItsRealOrder() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", """
            settings { self = "Nas" }
            host "Nas" { }
            job "J" { source = "Nas", target = "Nas", time_sync = "none",
              run = { "echo", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11" } }
            """)
        let p = try NightshiftProcess(["run", path, "--once", "--manual", "--debug"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 30), 0, p.output)
        let log = (try? String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("ns.exec({\"echo\", \"a1\", \"a2\", \"a3\", \"a4\", \"a5\", \"a6\", \"a7\", \"a8\", \"a9\", \"a10\", \"a11\"}"), log)
    }
}
