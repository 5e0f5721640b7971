import Foundation
import XCTest

/// `nightshift` run as a child process by a test: found next to the test bundle, output
/// captured to files, and always killed by the time the test ends.
final class NightshiftProcess {
    let process = Process()
    let outputPath: String

    /// The built binary next to the tests.
    static var binary: String { NightShiftBinary.path }

    /// Starts `nightshift ARGS...`; stdout and stderr go to `dir/output.txt`.
    init(_ args: [String], in dir: String, environment: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw XCTSkip("the nightshift binary is not built next to the tests (\(Self.binary)); run `swift build` first")
        }
        outputPath = dir + "/output.txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args
        process.standardOutput = out
        process.standardError = out
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits up to `seconds` for the exit; nil (after SIGKILL) when it did not end in time.
    func exitCode(within seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// What it printed so far.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// Live processes whose command line contains `marker` (a unique argument a test gave them).
func processes(containing marker: String) -> [Int32] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return names.compactMap { name -> Int32? in
        guard let pid = Int32(name), pid != getpid(),
              let cmd = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
              let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"),
              stat[stat.index(close, offsetBy: 2)] != "Z" else { return nil }
        let text = String(decoding: cmd.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return text.contains(marker) ? pid : nil
    }
}
