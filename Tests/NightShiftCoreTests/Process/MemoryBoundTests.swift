import Foundation
import XCTest
@testable import NightShiftCore

final class MemoryBoundTests: XCTestCase {
    /// 200 MB through the runner and into a log file: memory must stay flat
    /// while the log still gets every line.
    func testHugeOutputKeepsMemoryBoundedAndLogsEveryLine() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logPath = dir + "/big.log"
        let log = try NightShiftLog(filePath: logPath, consoleIsTerminal: false)
        let bytes = 200_000_000
        let lineLength = 33  // "0123456789abcdef0123456789abcdef\n"
        let request = ExecRequest(
            .shell("yes 0123456789abcdef0123456789abcdef | head -c \(bytes)"),
            logMode: .file
        )
        let before = peakRSSKiB()
        let start = ContinuousClock.now
        let result = try await ProcessRunner.run(request, log: log, label: "yes")
        let elapsed = ContinuousClock.now.seconds(since: start)
        let growthMiB = Double(peakRSSKiB() - before) / 1024
        XCTAssertTrue(result.ok)
        XCTAssertEqual(result.stdoutBytes, bytes)
        XCTAssertTrue(result.stdoutTruncated)
        XCTAssertEqual(result.stdout.count, 1 << 20)
        XCTAssertLessThan(growthMiB, 32, "peak RSS grew by \(growthMiB) MiB")

        let wc = try await ProcessRunner.run(ExecRequest(.argv(["wc", "-l", logPath])))
        let logged = Int(text(wc.stdout).split(separator: " ").first ?? "") ?? -1
        // Every complete line plus the partial last one.
        XCTAssertEqual(logged, bytes / lineLength + (bytes % lineLength == 0 ? 0 : 1))
        print("200 MB child output: \(String(format: "%.2f", elapsed)) s, \(String(format: "%.0f", Double(bytes) / 1e6 / elapsed)) MB/s, peak RSS growth \(String(format: "%.1f", growthMiB)) MiB")
    }
}
