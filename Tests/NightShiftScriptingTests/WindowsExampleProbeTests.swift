import Foundation
@testable import NightShiftScripting
import XCTest

/// The Windows example an admin copies first must see a Windows PC behind its default
/// firewall (no ping, file sharing off: only ARP answers), so its hosts lead with "auto".
final class WindowsExampleProbeTests: XCTestCase {
    func testEveryHostOfTheWindowsExampleProbesWithAuto() throws {
        let f = try ScriptFixture()
        let example = try String(contentsOfFile: ExampleScriptsTests.scriptsDir + "/examples/windows-clients.lua", encoding: .utf8)
        let path = try f.write("windows-clients.lua", example)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(example.utf8))
        let r = try rt.executeWithCore("""
            local out = {}
            for _, name in ipairs({ "BackupPC", "Reception", "Office1", "Office2", "Laptop" }) do
              local p = core.config.hosts[name].probe
              out[#out + 1] = name .. "=" .. (type(p) == "table" and table.concat(p, "+") or tostring(p))
            end
            return table.concat(out, " ")
            """)
        XCTAssertEqual(r.first?.stringValue, "BackupPC=auto Reception=auto Office1=auto Office2=auto Laptop=auto")
    }
}
