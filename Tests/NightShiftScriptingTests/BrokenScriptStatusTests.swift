import Foundation
import XCTest

/// `nightshift status SCRIPT` while the script is broken: the errors with file:line first,
/// what the loop does meanwhile, then the state as always. No packet is sent.
final class BrokenScriptStatusTests: XCTestCase {
    private let state = """
        {"version": 1, "jobs": {"Nightly": {"result": "ok", "last_start": 1796000000, "last_end": 1796000060, "last_good": 1796000060}}}

        """

    func testTheStateIsShownBelowTheScriptsErrors() throws {
        let f = try ScriptFixture()
        try FileManager.default.createDirectory(atPath: f.dir + "/office-state", withIntermediateDirectories: true)
        try state.write(toFile: f.dir + "/office-state/state.json", atomically: false, encoding: .utf8)
        // settings{} ran before the typo, so its state_dir is still known.
        let path = try f.write("site.lua", """
            settings { self = "Nas", state_dir = "office-state" }
            host "Nas" { }
            hots "PC2" { ip = "10.0.0.3" }
            """)
        let r = try NightShiftBinary.run(["status", path])
        XCTAssertEqual(r.status, 2, r.output)
        let lines = r.output.split(separator: "\n").map(String.init)
        let error = try XCTUnwrap(lines.firstIndex { $0.contains("site.lua:3: undefined global 'hots'; did you mean 'host'?") }, r.output)
        XCTAssertTrue(r.output.contains("runs the last good version of the script"), r.output)
        let job = try XCTUnwrap(lines.firstIndex { $0.contains("Nightly") }, "the jobs are still shown: \(r.output)")
        XCTAssertLessThan(error, job, "the errors come above the state")
        XCTAssertFalse(r.output.contains("stack traceback"), r.output)
    }

    func testAValidationErrorStillShowsTheState() throws {
        let f = try ScriptFixture()
        try FileManager.default.createDirectory(atPath: f.dir + "/state", withIntermediateDirectories: true)
        try state.write(toFile: f.dir + "/state/state.json", atomically: false, encoding: .utf8)
        let path = try f.write("site.lua", """
            settings { self = "Nas" }
            host "Nas" { }
            host "PC" { address = "10.0.0.2" }
            """)
        let r = try NightShiftBinary.run(["status", path])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.output.contains("site.lua:3: host \"PC\": unknown key 'address'; did you mean 'ip'?"), r.output)
        XCTAssertTrue(r.output.contains("Nightly"), r.output)
    }
}
