import Foundation
import XCTest

/// NUT's real `upsd` and its `dummy-ups` driver (Debian nut-server), started by a test on
/// 127.0.0.1 inside its private network namespace, with a config folder of their own
/// (`NUT_CONFPATH`, `NUT_STATEPATH`). The driver reads `ups.dev`, which `set` rewrites.
final class NUTServer {
    static let upsd = "/lib/nut/upsd"
    static let driver = "/lib/nut/dummy-ups"

    let dir: String
    let port = Int.random(in: 20000...60000)
    private var processes: [Process] = []

    /// `ups@127.0.0.1:PORT`.
    var name: String { "ups@127.0.0.1:\(port)" }

    init(in parent: String, status: String, charge: Int) throws {
        guard ProcessInfo.processInfo.environment["NIGHTSHIFT_PRIVATE_NETNS"] == "1" else {
            throw XCTSkip("the UPS gate talks to upsd over TCP: run it in a private namespace (scripts/test-network 'DeferUPSTests')")
        }
        for tool in [Self.upsd, Self.driver] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is missing: install nut-server (scripts/lib/deps.sh TEST_PACKAGES)")
        }
        guard ScriptTool.which("upsc") != nil else { throw XCTSkip("upsc is missing: install nut-client") }
        dir = parent + "/nut"
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        chmod(dir + "/state", 0o700)
        try "[ups]\n  driver = dummy-ups\n  port = ups.dev\n  desc = \"NightShift test UPS\"\n"
            .write(toFile: dir + "/ups.conf", atomically: true, encoding: .utf8)
        try "LISTEN 127.0.0.1 \(port)\nSTATEPATH \(dir)/state\n".write(toFile: dir + "/upsd.conf", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/upsd.users", atomically: true, encoding: .utf8)
        try "MODE=standalone\n".write(toFile: dir + "/nut.conf", atomically: true, encoding: .utf8)
        for file in ["upsd.conf", "upsd.users"] { chmod(dir + "/" + file, 0o600) }
        try set(status: status, charge: charge)
        // -u root: the daemons stay the test's user instead of switching to "nut"; -F: foreground.
        try start(Self.driver, ["-a", "ups", "-u", "root", "-F"], log: "driver.log")
        try start(Self.upsd, ["-u", "root", "-F"], log: "upsd.log")
        guard waitFor(status: status) else {
            stop()
            throw NUTError(message: "upsd did not report \(status) within 30 s: " + logs)
        }
    }

    deinit { stop() }

    /// Rewrites the driver's .dev file (atomically: the driver never reads half of it).
    func set(status: String, charge: Int) throws {
        try "ups.status: \(status)\nbattery.charge: \(charge)\nbattery.runtime: 900\n"
            .write(toFile: dir + "/ups.dev", atomically: true, encoding: .utf8)
    }

    /// Polls upsc until `ups.status` is `status` (bounded).
    func waitFor(status: String, within seconds: Double = 30) -> Bool {
        eventually(within: seconds) { self.upsc(["ups.status"]).trimmingCharacters(in: .whitespacesAndNewlines) == status }
    }

    /// Ends upsd and the driver and waits for them.
    func stop() {
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGTERM) }
        for p in processes { p.waitUntilExit() }
        processes = []
    }

    /// upsd's and the driver's logs, for failure messages.
    var logs: String {
        ["driver.log", "upsd.log"].map { (try? String(contentsOfFile: dir + "/" + $0, encoding: .utf8)) ?? "" }.joined(separator: "\n")
    }

    private func upsc(_ extra: [String]) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ScriptTool.which("upsc") ?? "/bin/upsc")
        p.arguments = [name] + extra
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private func start(_ tool: String, _ args: [String], log: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["NUT_CONFPATH"] = dir
        env["NUT_STATEPATH"] = dir + "/state"
        env["NUT_ALTPIDPATH"] = dir + "/state"
        p.environment = env
        _ = FileManager.default.createFile(atPath: dir + "/" + log, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/" + log))
        p.standardOutput = out
        p.standardError = out
        try p.run()
        processes.append(p)
    }

    struct NUTError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
