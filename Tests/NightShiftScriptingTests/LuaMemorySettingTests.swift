import Foundation
import NightShiftScripting
import XCTest

/// `settings.lua_memory`: the allocator's cap is the site's to set.
final class LuaMemorySettingTests: XCTestCase {
    func testARunawayHandlerHitsTheSitesCapAndTheNightGoesOn() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", """
            settings { self = "Nas", lua_memory = "32MiB" }
            host "Nas" { }
            job "J" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            on("after_job", function() local t = {} while true do t[#t + 1] = string.rep("x", 1e6) .. #t end end)
            on("after_backup", function() ns.log.info("AFTER-BACKUP-RAN") end)
            """)
        let p = try NightshiftProcess(["run", path, "--once", "--manual"], in: f.dir)
        XCTAssertEqual(p.exitCode(within: 60), 0, p.output)
        let log = (try? String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("not enough memory (lua_memory limit 32 MiB reached)"), log)
        XCTAssertTrue(log.contains("AFTER-BACKUP-RAN"), log)
    }

    func testABadSizeIsReportedWithItsLine() throws {
        let f = try ScriptFixture()
        let p = try f.problems("settings {\n  lua_memory = \"lots\",\n}\n")
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].hasPrefix("site.lua:2: settings: lua_memory: "), "\(p)")
    }
}
