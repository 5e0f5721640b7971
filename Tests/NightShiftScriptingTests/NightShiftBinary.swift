import Foundation
import XCTest

/// The built `nightshift` executable next to the test bundle, run as a child process.
enum NightShiftBinary {
    static var path: String {
        let dir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        let candidates = [dir + "/nightshift", ((dir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("nightshift")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Starts `nightshift args...` with its output going to `output` (default: discarded).
    static func launch(_ args: [String], output: FileHandle = FileHandle.nullDevice) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("the nightshift binary is not built next to the tests (\(path)); run `swift build` first")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = output
        p.standardError = output
        try p.run()
        return p
    }

    /// Runs `nightshift args...` to its end (SIGKILLed after `timeout` seconds) and returns
    /// its exit status, its output and whether it had to be killed.
    static func run(_ args: [String], timeout: Double = 20) throws -> (status: Int32, output: String, killed: Bool) {
        let file = NSTemporaryDirectory() + "nightshift-out-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        let p = try launch(args, output: handle)
        try? handle.close()
        let killed = !poll(timeout) { !p.isRunning }
        if killed { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return (p.terminationReason == .exit ? p.terminationStatus : 128 + p.terminationStatus, output, killed)
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass.
    static func poll(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
