import Foundation
import NightShiftScripting
import XCTest

/// The ready action sets.
final class ActionSetTests: XCTestCase {
    func testLinuxSetTimeUsesTheFractionalEpoch() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.lua.execute("return table.concat(nightshift.actions.linux_ssh({ port = 2222 }).set_time, \" \")")
        XCTAssertEqual(r.first?.stringValue, "ssh -o BatchMode=yes -o ConnectTimeout=10 -p 2222 -l {user} -- {ip} date -s @{epoch_frac}")
    }
}
