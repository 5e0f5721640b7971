import Foundation
import XCTest
@testable import NightShiftCore

/// The failure report copies a bounded tail of the night's log.
final class FailureReportTests: XCTestCase {
    /// Peak resident memory since the last reset (VmHWM), in bytes; nil where /proc lacks it.
    private func peakRSS() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb * 1024
    }

    /// Resets VmHWM to the current RSS (Linux `clear_refs` value 5); false when not allowed.
    private func resetPeakRSS() -> Bool {
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "5", 1) == 1
    }

    func testAHugeNightKeepsOnlyTheLastMebibyteAndSaysWhatWasCut() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let logPath = dir.file("nightshift.log")
        let before = Array("[stamp] INFO  the night before\n".utf8)
        var file = before
        let offset = UInt64(file.count)
        // 20 MB of numbered lines, the last one marks the end.
        let line = Array("[2026-11-26 @ 03:00:00] OUT   job: ".utf8)
        var body: [UInt8] = []
        var n = 0
        while file.count + body.count < 20_000_000 {
            body += line
            body += Array("copying file \(n)\n".utf8)
            n += 1
            if body.count > 1_000_000 { file += body; body = [] }
        }
        file += body
        file += Array("[2026-11-26 @ 04:00:00] ERROR the last line\n".utf8)
        try Data(file).write(to: URL(fileURLWithPath: logPath))

        let resettable = resetPeakRSS()
        let peakBefore = peakRSS()
        let excerpt = FailureReport.excerpt(logPath: logPath, from: offset)
        let report = dir.file("share/report.txt")
        try FailureReport.write(excerpt + "\nReason: x\n", to: report)
        let peakAfter = peakRSS()

        let size = (try FileManager.default.attributesOfItem(atPath: report)[.size] as? NSNumber)?.intValue ?? 0
        XCTAssertLessThanOrEqual(size, 1_048_576 + 200, "the report is bounded")
        XCTAssertGreaterThan(size, 1_048_576 / 2)
        XCTAssertTrue(excerpt.hasSuffix("ERROR the last line\n"))
        XCTAssertFalse(excerpt.contains("the night before"))
        let omitted = file.count - Int(offset) - (excerpt.utf8.count - excerpt.split(separator: "\n")[0].utf8.count - 1)
        XCTAssertTrue(excerpt.hasPrefix("... \(omitted) bytes of the night's log omitted ...\n"), String(excerpt.prefix(120)))
        // The second line is a whole log line, not the middle of one.
        XCTAssertTrue(excerpt.split(separator: "\n")[1].hasPrefix("[2026-11-26 @ 03:00:00] OUT   job: copying file "))
        if resettable, let peakBefore, let peakAfter {
            XCTAssertLessThan(peakAfter - peakBefore, 16 * 1024 * 1024, "memory grew by \(peakAfter - peakBefore) bytes")
        }
    }

    func testASmallNightIsCopiedWhole() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let logPath = dir.file("nightshift.log")
        try "old\nnew 1\nnew 2\n".write(toFile: logPath, atomically: false, encoding: .utf8)
        XCTAssertEqual(FailureReport.excerpt(logPath: logPath, from: 4), "new 1\nnew 2\n")
        XCTAssertEqual(FailureReport.excerpt(logPath: dir.file("missing"), from: 0), "")
    }
}
