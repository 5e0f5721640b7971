import Foundation
import NightShiftCore
import XCTest

/// `nightshift run` as a process: SIGTERM during a job, the instance lock, exit codes.
/// These scripts declare no host but this machine, so no packet is sent.
final class SignalTests: XCTestCase {
    private var binary: String {
        let dir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        let candidates = [dir + "/nightshift", ((dir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("nightshift")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    private func script(_ f: ScriptFixture, run: String) throws -> String {
        try f.write("site.lua", """
            settings { self = "Nas", check_every = "1h" }
            host "Nas" { }
            job "Slow" { source = "Nas", target = "Nas", time_sync = "none", run = \(run) }
            """)
    }

    private func launch(_ args: [String]) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("the nightshift binary is not built next to the tests (\(binary)); run `swift build` first")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    private func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    func testSigtermDuringAJobKillsTheChildGroupRecordsInterruptedAndFreesTheLock() throws {
        let f = try ScriptFixture()
        let path = try script(f, run: "{\"sh\", \"-c\", \"echo $$ > \(f.dir)/child.pid; sleep 60 & sleep 60; wait\"}")
        let p = try launch(["run", path, "--once", "--manual"])
        let pidFile = f.dir + "/child.pid"
        // The shell creates the file before it writes the pid: wait for the whole line.
        func childPid() -> Int32? {
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), text.hasSuffix("\n") else { return nil }
            return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        XCTAssertTrue(waitFor(10) { childPid() != nil }, "the job never started")
        let child = try XCTUnwrap(childPid())
        let started = Date()
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(started), 8)
        XCTAssertEqual(p.terminationStatus, 143)
        // The child's whole process group is gone (or only zombies wait for reaping). A killed
        // process leaves /proc a moment after the signal on a busy machine: poll, bounded.
        func alive() -> [Int32] {
            ProcStat.all().filter { $0.pgid == child && !$0.isZombie }.map(\.pid)
        }
        XCTAssertTrue(waitFor(2) { alive().isEmpty }, "processes of the job's group survived: \(alive())")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: f.dir + "/state/state.json"))) as? [String: Any]
        let job = (state?["jobs"] as? [String: Any])?["Slow"] as? [String: Any]
        XCTAssertEqual(job?["result"] as? String, "interrupted")
        XCTAssertEqual(job?["reason"] as? String, "interrupted by SIGTERM")
        let history = try String(contentsOfFile: f.dir + "/state/history.jsonl", encoding: .utf8)
        XCTAssertTrue(history.contains("\"interrupted\""), history)
        // The lock is free again.
        let lock = try InstanceLock(stateDir: f.dir + "/state")
        lock.release()
    }

    func testASecondInstanceOnTheSameStateDirIsRefused() throws {
        let f = try ScriptFixture()
        let path = try script(f, run: "{\"sleep\", \"30\"}")
        let first = try launch(["run", path, "--once", "--manual"])
        defer { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() }
        // The lock file holds the first instance's pid once it is taken.
        XCTAssertTrue(waitFor(10) {
            ((try? String(contentsOfFile: f.dir + "/state/nightshift.lock", encoding: .utf8)) ?? "").hasPrefix("\(first.processIdentifier)")
        })
        let second = try launch(["run", path, "--once", "--manual"])
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 2)
        let log = try String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)
        XCTAssertEqual(log.components(separatedBy: "=== Job Slow").count - 1, 1, "only the first instance runs the job")
    }

    func testOnceExitsOneWhenAJobFails() throws {
        let f = try ScriptFixture()
        let path = try script(f, run: "{\"sh\", \"-c\", \"exit 7\"}")
        let p = try launch(["run", path, "--once", "--manual"])
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1)
        let log = try String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)
        XCTAssertTrue(log.contains("Job Slow: failed (exit 7"), log)
    }

    func testABrokenScriptExitsTwoWithFileAndLine() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", "settings {}\nx = = 1\n")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["check", path]
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = FileHandle.nullDevice
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("nightshift binary not built") }
        try p.run()
        let err = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 2)
        XCTAssertTrue(err.contains("site.lua:2:"), err)
    }

    func testEditsTakeEffectNextCycleAndABrokenEditKeepsTheLastGoodVersion() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", "settings { check_every = 1 }\nns.log.info('script version A')\n")
        let p = try launch(["run", path])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let logPath = f.dir + "/nightshift.log"
        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        XCTAssertTrue(waitFor(10) { log().contains("script version A") })
        try f.write("site.lua", "settings { check_every = 1 }\nns.log.info('script version B')\n")
        XCTAssertTrue(waitFor(10) { log().contains("script version B") }, "an edit must take effect at the next cycle")
        try f.write("site.lua", "settings { check_every = 1 }\nns.log.info('version C' .. )\n")
        XCTAssertTrue(waitFor(10) { log().contains("Running the last good version") }, log())
        XCTAssertTrue(p.isRunning, "a broken edit must not stop the loop")
        XCTAssertTrue(log().contains("site.lua:2:"), "the broken edit is reported with file:line")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
    }

    func testASignalWhileTheScriptLoadsIsAnInterruptionNotAScriptError() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", "ns.exec({'sh', '-c', 'touch \(f.dir)/started; sleep 30'})\n")
        let p = try launch(["run", path, "--once"])
        XCTAssertTrue(waitFor(10) { FileManager.default.fileExists(atPath: f.dir + "/started") })
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
    }

    func testAScriptStuckInALoopStillStopsOnSigterm() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", """
            settings { self = "Nas" }
            host "Nas" { }
            job "Loop" { source = "Nas", target = "Nas", time_sync = "none", run = function() while true do end end }
            """)
        let p = try launch(["run", path, "--once", "--manual"])
        XCTAssertTrue(waitFor(10) { ((try? String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)) ?? "").contains("=== Job Loop") })
        let sent = Date()
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(sent), 3)
        XCTAssertEqual(p.terminationStatus, 143)
        let state = try String(contentsOfFile: f.dir + "/state/state.json", encoding: .utf8)
        XCTAssertTrue(state.contains("interrupted"), state)
    }

    private func cycles(_ path: String) -> Int {
        (((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").components(separatedBy: "--- NightShift ").count) - 1
    }

    func testSighupReopensAMovedLogAndTheLoopGoesOn() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", "settings { check_every = 1 }\n")
        let p = try launch(["run", path])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let logPath = f.dir + "/nightshift.log"
        XCTAssertTrue(waitFor(10) { cycles(logPath) >= 1 }, "no cycle logged")
        XCTAssertEqual(rename(logPath, logPath + ".1"), 0)
        kill(p.processIdentifier, SIGHUP)
        XCTAssertTrue(waitFor(10) { cycles(logPath) >= 1 }, "no cycle logged to the reopened file")
        XCTAssertTrue(p.isRunning, "SIGHUP must not stop the loop")
        let rotated = try String(contentsOfFile: logPath + ".1", encoding: .utf8)
        XCTAssertFalse(rotated.contains("Interrupted"), rotated)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 143)
        XCTAssertTrue(try String(contentsOfFile: logPath, encoding: .utf8).contains("Interrupted by SIGTERM"))
    }

    func testAMovedLogIsReopenedWithoutASignal() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", "settings { check_every = 1 }\n")
        let p = try launch(["run", path])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let logPath = f.dir + "/nightshift.log"
        XCTAssertTrue(waitFor(10) { cycles(logPath) >= 1 }, "no cycle logged")
        XCTAssertEqual(rename(logPath, logPath + ".1"), 0)
        XCTAssertTrue(waitFor(10) { cycles(logPath) >= 1 }, "the moved log was not reopened at its path")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
    }
}
