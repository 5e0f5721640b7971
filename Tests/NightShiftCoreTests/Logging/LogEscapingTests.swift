import Foundation
import XCTest
@testable import NightShiftCore

/// Control characters never reach the console or the log raw: one log line stays one line
/// and no terminal escape from a child, a script or the network is played on the console.
final class LogEscapingTests: XCTestCase {
    /// The word-at-a-time scan agrees with the byte rule for every byte value at every
    /// position of a word and its tail, and on random buffers of every length up to 40.
    func testTheWordScanAgreesWithTheByteRule() {
        func byByte(_ bytes: [UInt8]) -> Bool { bytes.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F || $0 == 0xC2 } }
        func scan(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { ControlEscaping.needsEscaping($0) } }
        let clean = Array("0123456789abcdef0123456789abcdef!".utf8)
        XCTAssertFalse(scan(clean))
        XCTAssertFalse(scan([]))
        for position in [0, 3, 7, 8, 15, 31, 32] {
            for value in 0...255 {
                var bytes = clean
                bytes[position] = UInt8(value)
                XCTAssertEqual(scan(bytes), byByte(bytes), "byte 0x\(String(value, radix: 16)) at \(position)")
            }
        }
        var generator = SystemRandomNumberGenerator()
        // Mostly printable text with the boundary values (0x1F, 0x20, 0x7E-0x80, 0xC1-0xC3) mixed in.
        let palette: [UInt8] = Array(0x20...0x7E) + [0x09, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x9B, 0xC1, 0xC2, 0xC3, 0xFF, 0x00]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<10, using: &generator) == 0 ? palette.randomElement(using: &generator)! : UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            XCTAssertEqual(scan(bytes), byByte(bytes), "\(bytes)")
        }
    }

    func testControlCharactersInMessagesAreEscaped() throws {
        let captured = try CapturedLog()
        captured.log.info("red \u{1B}[31mtext\u{07} over\rwrite\u{7F} nul\u{0}\ttab")
        let lines = captured.fileLines()
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(matches(lines[0], stampPattern + #"INFO  red \\x1b\[31mtext\\x07 over\\rwrite\\x7f nul\\x00\ttab"#), lines[0])
        XCTAssertEqual(captured.console(), captured.file())
    }

    func testEachLineOfAMultiLineMessageGetsItsOwnPrefix() throws {
        let captured = try CapturedLog()
        captured.log.warn("first\r\nsecond\u{1B}]0;title\u{07}")
        let lines = captured.fileLines()
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(matches(lines[0], stampPattern + "WARN  first"), lines[0])
        XCTAssertTrue(matches(lines[1], stampPattern + #"WARN  second\\x1b\]0;title\\x07"#), lines[1])
    }

    func testChildOutputAndItsLabelAreEscaped() throws {
        let captured = try CapturedLog()
        let sink = try XCTUnwrap(captured.log.processSink(mode: .both, label: "job\u{1B}[2J"))
        let storage = Array("plain\u{1B}[2Jcleared\rprogress 50%\u{08}\u{08}".utf8) + Array("second".utf8)
        let firstEnd = storage.count - 6
        sink.receive(.stdout, lines: LineBatch(storage: storage, ranges: [0..<firstEnd, firstEnd..<storage.count]))
        let lines = captured.fileLines()
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(matches(lines[0], stampPattern + #"OUT   job\\x1b\[2J: plain\\x1b\[2Jcleared\\rprogress 50%\\x08\\x08"#), lines[0])
        XCTAssertTrue(matches(lines[1], stampPattern + #"OUT   job\\x1b\[2J: second"#), lines[1])
        XCTAssertEqual(captured.console(), captured.file())
    }

    func testC1ControlsAreEscapedAndOtherUnicodeIsKept() throws {
        let captured = try CapturedLog()
        captured.log.info("csi \u{9B}2J Grüße ✓")
        XCTAssertTrue(captured.file().hasSuffix(#"INFO  csi \u009b2J Grüße ✓"# + "\n"), captured.file())
    }

    func testTheLiveStatusLineIsEscapedToo() throws {
        let captured = try CapturedLog(terminal: true, colors: false)
        captured.log.status("next \u{1B}[2J")
        XCTAssertFalse(captured.console().contains("\u{1B}[2J"))
    }
}
