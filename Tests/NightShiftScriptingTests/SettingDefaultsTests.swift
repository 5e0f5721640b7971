import Foundation
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// Every setting's default lives in the Lua schema (schema.lua's DEFAULTS) only: the Swift side
/// reads the validated settings, so changing a default there changes what Swift uses.
final class SettingDefaultsTests: XCTestCase {
    func testSwiftReadsTheSchemasDefaults() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        _ = try rt.executeWithCore("""
            core.defaults.check_every = 1234
            core.defaults.max_attempts = 7
            core.defaults.state_dir = "elsewhere"
            core.defaults.log_file = "other.log"
            core.defaults.max_age = 999
            core.defaults.min_interval = 4321
            core.defaults.offline_sweeps = 4
            """)
        let text = """
            host "A" { ip = "127.0.0.1", mac = "02:00:00:00:00:01" }
            job "Own" { source = "A", target = "A", run = { "true" }, max_age = "2h" }
            job "Default" { source = "A", target = "A", run = { "true" } }
            """
        let path = try f.write("site.lua", text)
        let s = try rt.loadSite(path: path, source: Array(text.utf8))
        XCTAssertEqual(s.checkEvery, 1234)
        XCTAssertEqual(s.maxAttempts, 7)
        XCTAssertEqual(s.stateDir, f.dir + "/elsewhere")
        XCTAssertEqual(s.logFile, f.dir + "/other.log")
        XCTAssertEqual(s.jobMaxAges, ["Own": 7200, "Default": 999])
        XCTAssertEqual(s.minInterval, 4321)
        XCTAssertEqual(s.offlineSweeps, 4)
    }

    func testTheDocumentedDefaultsAreTheSchemas() throws {
        let f = try ScriptFixture()
        let text = #"host "A" { ip = "127.0.0.1" }"#
        let path = try f.write("site.lua", text)
        let s = try f.runtime().loadSite(path: path, source: Array(text.utf8))
        XCTAssertEqual(s.checkEvery, 3600)
        XCTAssertEqual(s.maxAttempts, 3)
        XCTAssertEqual(s.stateDir, f.dir + "/state")
        XCTAssertEqual(s.logFile, f.dir + "/nightshift.log")
        XCTAssertEqual(try f.runtime().defaultSetting("state_dir"), "state")
    }

    /// The allocator's cap before the script's settings{} is settings.lua_memory's default.
    func testTheCapBeforeTheSettingsIsTheSchemasDefault() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        XCTAssertEqual(Int64(rt.lua.memoryLimit), try rt.defaultSetting("lua_memory").integerValue)
    }
}
