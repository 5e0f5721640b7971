import Foundation
import LuaBinding
import NightShiftCore
import NightShiftScripting
import XCTest

/// `ns.exec` refuses a NUL byte anywhere it would reach a C string (where it would cut
/// the string short: `"tr\0ue"` ran `tr`).
final class ExecArgumentTests: XCTestCase {
    private func message(_ lua: String, _ f: ScriptFixture) throws -> String {
        let rt = try f.runtime()
        let r = try rt.lua.execute("return select(2, pcall(function() \(lua) end))", chunkName: "@t.lua")
        return r.first?.stringValue ?? "no error: \(r)"
    }

    func testANULByteIsAnArgumentErrorAndNothingRuns() throws {
        let f = try ScriptFixture()
        let made = f.dir + "/made"
        let cases: [(String, String)] = [
            (#"ns.exec{"tr\0ue"}"#, "bad argument #1 to 'exec' (argv[1] contains a NUL byte)"),
            (#"ns.exec{"touch", "\#(made)\0x"}"#, "bad argument #1 to 'exec' (argv[2] contains a NUL byte)"),
            (#"ns.exec("touch \#(made)\0")"#, "bad argument #1 to 'exec' (the command contains a NUL byte)"),
            (#"ns.exec({"touch", "\#(made)"}, {cwd = "/tmp\0/x"})"#, "bad argument #2 to 'exec' (field 'cwd' contains a NUL byte)"),
            (#"ns.exec({"touch", "\#(made)"}, {env = {A = "1\0 2"}})"#, "bad argument #2 to 'exec' (env.A contains a NUL byte)"),
            (#"ns.exec({"touch", "\#(made)"}, {env = {["A\0B"] = "1"}})"#,
             "bad argument #2 to 'exec' (field 'env' has a variable name with a NUL byte)"),
        ]
        for (lua, expected) in cases {
            XCTAssertEqual(try message(lua, f), "t.lua:1: " + expected, lua)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: made))
    }

    func testUnderDryRunANULByteStillRaises() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime(.init(dryRun: true))
        let r = try rt.lua.execute(#"return select(2, pcall(function() ns.exec{"tr\0ue"} end))"#, chunkName: "@t.lua")
        XCTAssertEqual(r.first?.stringValue, "t.lua:1: bad argument #1 to 'exec' (argv[1] contains a NUL byte)")
    }
}
