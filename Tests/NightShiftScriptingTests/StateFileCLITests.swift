import Foundation
import XCTest

/// `nightshift run` and `nightshift status` against state and log files they must not use:
/// a newer state.json, absurd numbers, a FIFO as log file. These scripts declare no host but
/// this machine, so no packet is sent.
final class StateFileCLITests: XCTestCase {
    private let newer = #"{"version": 2, "jobs": {"J": {"result": "ok"}}}"# + "\n"
    private let refusal = "was written by a newer NightShift (version 2; this is version 1); refusing to change it"

    private func site(_ f: ScriptFixture, settings: String = "") throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h"\(settings.isEmpty ? "" : ", " + settings) }
            host "Nas" { }
            job "J" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            """)
    }

    func testStatusRefusesANewerStateFile() throws {
        let f = try ScriptFixture()
        try FileManager.default.createDirectory(atPath: f.dir + "/state", withIntermediateDirectories: true)
        try newer.write(toFile: f.dir + "/state/state.json", atomically: false, encoding: .utf8)
        let result = try NightShiftBinary.run(["status", "--state-dir", f.dir + "/state"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains(refusal), result.output)
    }

    func testRunRefusesANewerStateFileAndLeavesItAlone() throws {
        let f = try ScriptFixture()
        let path = try site(f)
        try FileManager.default.createDirectory(atPath: f.dir + "/state", withIntermediateDirectories: true)
        try newer.write(toFile: f.dir + "/state/state.json", atomically: false, encoding: .utf8)
        let result = try NightShiftBinary.run(["run", path, "--once", "--manual"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains(refusal), result.output)
        XCTAssertEqual(try String(contentsOfFile: f.dir + "/state/state.json", encoding: .utf8), newer)
    }

    func testStatusNeverTrapsOnAbsurdNumbers() throws {
        let f = try ScriptFixture()
        let dir = f.dir + "/state"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let absurd = """
            {"version": 1,
             "hosts": {"A": {"up": true, "since": 1e300, "last_seen": -1e300, "last_sweep": 1e19}},
             "jobs": {"J": {"result": "ok", "last_start": -1e308, "last_end": 1e300, "last_good": 9.3e18}},
             "recent_sweeps": [{"time": 1e300, "up": {"A": true}}],
             "last_cycle": {"start": -1e300, "end": 1e300, "next_check": 1e300},
             "force_window": {"last_window_run": -9.3e18}}
            """
        for text in [absurd, #"{"version": 1e300}"#, #"{"version": -3}"#, #"{"version": 1, "hosts": {"A": {"since": 1e400}}}"#] {
            try text.write(toFile: dir + "/state.json", atomically: false, encoding: .utf8)
            let result = try NightShiftBinary.run(["status", "--state-dir", dir])
            XCTAssertTrue(result.status == 0 || result.status == 2, "status \(result.status) for \(text):\n\(result.output)")
            XCTAssertFalse(result.output.isEmpty)
        }
    }

    func testAFIFOAsLogFileExitsTwoAtOnce() throws {
        let f = try ScriptFixture()
        guard mkfifo(f.dir + "/log.fifo", 0o600) == 0 else { throw XCTSkip("cannot make a FIFO here") }
        let path = try site(f, settings: #"log_file = "log.fifo""#)
        let started = Date()
        let result = try NightShiftBinary.run(["run", path, "--once", "--manual"], timeout: 10)
        let took = Date().timeIntervalSince(started)
        XCTAssertFalse(result.killed, "nightshift hung on the FIFO")
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("log.fifo") && result.output.contains("is not a regular file"), result.output)
        XCTAssertLessThan(took, 5, "took \(took) s")
    }
}
