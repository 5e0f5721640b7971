import Foundation
import NightShiftScripting
import XCTest

/// Relative `state_dir` / `log_file` resolve against systemd's `$STATE_DIRECTORY` /
/// `$LOGS_DIRECTORY` when set, else against the script's folder; `check` prints the
/// absolute paths. The scripts declare only this machine, so no packet is sent.
final class SystemdDirectoryTests: XCTestCase {
    private let site = """
        settings { self = "Nas", check_every = "1h", log_file = "nightshift.log" }
        host "Nas" { }
        job "J" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
        """

    private func load(_ f: ScriptFixture, _ text: String) throws -> SiteSettings {
        let path = try f.write("site.lua", text)
        return try f.runtime().loadSite(path: path, source: Array(text.utf8))
    }

    func testWithoutTheVariablesPathsAreRelativeToTheScript() throws {
        unsetenv("STATE_DIRECTORY")
        unsetenv("LOGS_DIRECTORY")
        let f = try ScriptFixture()
        let s = try load(f, site)
        XCTAssertEqual(s.stateDir, f.dir + "/state")
        XCTAssertEqual(s.logFile, f.dir + "/nightshift.log")
    }

    func testRelativePathsResolveAgainstTheSystemdDirectories() throws {
        setenv("STATE_DIRECTORY", "/var/lib/nightshift", 1)
        setenv("LOGS_DIRECTORY", "/var/log/nightshift:/var/log/other", 1)
        defer { unsetenv("STATE_DIRECTORY"); unsetenv("LOGS_DIRECTORY") }
        let f = try ScriptFixture()
        let s = try load(f, site)
        XCTAssertEqual(s.stateDir, "/var/lib/nightshift/state")
        XCTAssertEqual(s.logFile, "/var/log/nightshift/nightshift.log")
        // Absolute paths are kept as written.
        let t = try load(f, site.replacingOccurrences(of: "check_every = \"1h\"", with: "check_every = \"1h\", state_dir = \"/srv/ns\""))
        XCTAssertEqual(t.stateDir, "/srv/ns")
    }

    /// Runs the built binary with extra environment variables; returns status and output.
    private func runBinary(_ args: [String], environment: [String: String]) throws -> (Int32, String) {
        guard FileManager.default.isExecutableFile(atPath: NightShiftBinary.path) else {
            throw XCTSkip("the nightshift binary is not built next to the tests (\(NightShiftBinary.path))")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: NightShiftBinary.path)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testRunWritesStateAndLogIntoTheSystemdDirectoriesAndCheckPrintsThem() throws {
        let f = try ScriptFixture()
        let path = try f.write("site.lua", site)
        let env = ["STATE_DIRECTORY": f.dir + "/x/state", "LOGS_DIRECTORY": f.dir + "/x/log"]
        let (checkStatus, checkOutput) = try runBinary(["check", path], environment: env)
        XCTAssertEqual(checkStatus, 0, checkOutput)
        XCTAssertTrue(checkOutput.contains("state directory: \(f.dir)/x/state/state\n"), checkOutput)
        XCTAssertTrue(checkOutput.contains("log file: \(f.dir)/x/log/nightshift.log\n"), checkOutput)

        // As systemd starts it: the console is the journal's.
        var unit = env
        unit["JOURNAL_STREAM"] = "8:12345"
        let (status, output) = try runBinary(["run", path, "--once", "--no-sleep"], environment: unit)
        XCTAssertEqual(status, 0, output)
        let lines = output.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        for line in lines { XCTAssertTrue(line.hasPrefix("<6>[") || line.hasPrefix("<4>[") || line.hasPrefix("<3>["), String(line)) }
        XCTAssertFalse(output.contains("\u{1B}"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: f.dir + "/x/state/state/state.json"), output)
        let log = (try? String(contentsOfFile: f.dir + "/x/log/nightshift.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("cycle"), log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/state"), "wrote next to the script")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/nightshift.log"), "wrote next to the script")
    }
}
