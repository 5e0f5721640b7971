import LuaBinding
import NightShiftScripting
import XCTest

final class PrimitiveTests: XCTestCase {
    func testExecReportsCodeAndBothStreams() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.lua.execute("""
            local r = ns.exec{"sh", "-c", "echo hi; echo err >&2; exit 3"}
            return r.ok, r.code, r.stdout, r.stderr, r.timed_out, type(r.seconds)
            """)
        XCTAssertEqual(r, [false, 3, "hi\n", "err\n", false, "number"])
    }

    func testExecShellStringEnvCwdStdinAndOkCodes() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.lua.execute("""
            local r = ns.exec("pwd; echo $GREETING; cat; exit 5", {cwd = "/tmp", env = {GREETING = "moin"}, stdin = "in\\n", ok_codes = {5}})
            return r.ok, r.code, r.stdout
            """)
        XCTAssertEqual(r, [true, 5, "/tmp\nmoin\nin\n"])
    }

    func testExecTimeoutKillsTheGroupQuickly() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.lua.execute("""
            local t0 = ns.now()
            local r = ns.exec({"sh", "-c", "sleep 30 & echo $! > \(f.dir)/bg.pid; sleep 30; wait"}, {timeout = 1})
            return r.ok, r.timed_out, ns.now() - t0
            """)
        XCTAssertEqual(r[0], false)
        XCTAssertEqual(r[1], true)
        XCTAssertLessThan(r[2].doubleValue ?? 99, 2.5)
        let pid = Int32((try String(contentsOfFile: f.dir + "/bg.pid", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(pid, 0)
        // Gone, or a zombie waiting for its new parent to reap it: not running either way.
        // A SIGKILLed process takes a moment to be torn down on a busy machine: poll, bounded.
        var state: Substring = "?"
        let ended = eventually(within: 2) {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            state = stat.split(separator: ")").last?.split(separator: " ").first ?? "gone"
            return state == "gone" || state == "Z" || state == "X"
        }
        XCTAssertTrue(ended, "the grandchild must be gone with its group, state \(state)")
    }

    func testExecOfMissingProgramRaisesAClearError() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.lua.execute("return select(2, pcall(function() ns.exec{'no-such-program-xyz'} end))", chunkName: "@t.lua")
        XCTAssertTrue(r[0].stringValue?.contains("cannot start \"no-such-program-xyz\"") == true, "\(r)")
    }

    func testDryRunRunsNothingAndSaysWhatItWouldDo() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime(.init(dryRun: true))
        let r = try rt.lua.execute("""
            local r = ns.exec({"touch", "\(f.dir)/made"})
            local n = ns.wake({"AA:BB:CC:DD:EE:FF"}, {broadcast = "127.0.0.1"})
            local ok = ns.time.step(2.5)
            local slept = ns.power.hibernate()
            return r.ok, n, ok, slept, ns.dry_run
            """)
        XCTAssertEqual(r, [true, 3, true, true, true])
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/made"))
        let log = f.logText
        XCTAssertTrue(log.contains("DRY-RUN would run: touch \(f.dir)/made"), log)
        XCTAssertTrue(log.contains("DRY-RUN would send 3 magic packet(s) for aa:bb:cc:dd:ee:ff to 127.0.0.1:9"), log)
        XCTAssertTrue(log.contains("DRY-RUN would step this machine's clock by +2.500 s"), log)
        XCTAssertTrue(log.contains("DRY-RUN would hibernate this machine"), log)
    }

    func testLogFormatsAndRoutes() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        try rt.lua.execute("ns.log.info('copied %d files to %s', 42, 'B1'); ns.log.file('only in file'); ns.log.warn('plain %')")
        let log = f.logText
        XCTAssertTrue(log.range(of: #"\[\d{4}-\d\d-\d\d @ \d\d:\d\d:\d\d\] INFO  copied 42 files to B1"#, options: .regularExpression) != nil, log)
        XCTAssertTrue(log.contains("only in file"), log)
        XCTAssertTrue(log.contains("plain %"), log)
        XCTAssertEqual(try rt.lua.execute("return ns.log.path()").first?.stringValue, f.dir + "/test.log")
    }

    func testModuleIsTheGlobalAndRequireResult() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.lua.execute("return require('nightshift') == nightshift and nightshift == ns, type(ns.version), ns.dry_run, ns.manual")
        XCTAssertEqual(r, [true, "string", false, false])
    }

    func testDebugTracesPrimitiveCalls() throws {
        let f = try ScriptFixture()
        f.log.setDebug(true)
        let rt = try f.runtime(.init(debug: true))
        try rt.lua.execute("ns.exec({'true'}, {timeout = 5})")
        XCTAssertTrue(f.logText.contains("ns.exec({\"true\"}, {timeout=5}) -> {"), f.logText)
    }
}
