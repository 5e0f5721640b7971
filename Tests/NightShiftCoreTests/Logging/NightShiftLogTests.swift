import Foundation
import XCTest
@testable import NightShiftCore

final class NightShiftLogTests: XCTestCase {
    func testLineFormatMatchesTheOriginalStamp() throws {
        let captured = try CapturedLog()
        captured.log.info("Backup started")
        captured.log.warn("slow host")
        captured.log.error("job failed")
        let lines = captured.fileLines()
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(matches(lines[0], stampPattern + "INFO  Backup started"), lines[0])
        XCTAssertTrue(matches(lines[1], stampPattern + "WARN  slow host"), lines[1])
        XCTAssertTrue(matches(lines[2], stampPattern + "ERROR job failed"), lines[2])
        // Not a terminal: the console gets the same bytes, no colours.
        XCTAssertEqual(captured.console(), captured.file())
        XCTAssertFalse(captured.console().contains("\u{1B}"))
    }

    func testStampIsLocalTimeLikeStrftime() {
        let now = time(nil)
        var seconds = now
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [Int8](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "[%Y-%m-%d @ %H:%M:%S]", &parts)
        let expected = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        XCTAssertEqual(LogStamp.format(Int(now)), expected)
        XCTAssertEqual(LogStamp.format(Int(now)).count, 23)
    }

    func testConsoleOnlyAndFileOnlyRouting() throws {
        let captured = try CapturedLog()
        captured.log.console("only on screen")
        captured.log.file("only in file")
        XCTAssertTrue(captured.console().contains("only on screen"))
        XCTAssertFalse(captured.file().contains("only on screen"))
        XCTAssertTrue(captured.file().contains("INFO  only in file"))
        XCTAssertFalse(captured.console().contains("only in file"))
    }

    func testDebugLinesOnlyWhenDebugIsOn() throws {
        let captured = try CapturedLog()
        captured.log.debug("hidden")
        XCTAssertEqual(captured.file(), "")
        captured.log.setDebug(true)
        captured.log.debug("shown")
        XCTAssertTrue(matches(captured.fileLines().first ?? "", stampPattern + "DEBUG shown"))
    }

    func testMultiLineMessagesGetAStampPerLine() throws {
        let captured = try CapturedLog()
        captured.log.error("first\nsecond")
        let lines = captured.fileLines()
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(matches(lines[1], stampPattern + "ERROR second"))
    }

    func testParentFolderIsCreatedAndFileIsAppended() throws {
        let captured = try CapturedLog(subfolder: "/a/b/c")
        XCTAssertEqual(captured.log.path, captured.filePath)
        captured.log.info("one")
        let again = try NightShiftLog(filePath: captured.filePath, consoleIsTerminal: false, consoleDescriptor: -1)
        again.file("two")
        XCTAssertEqual(captured.fileLines().count, 2)
        XCTAssertTrue(captured.fileLines()[1].hasSuffix("INFO  two"))
    }

    func testUnopenableFileThrowsClearly() {
        XCTAssertThrowsError(try NightShiftLog(filePath: "/proc/nightshift/x.log", consoleIsTerminal: false)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot open log file \"/proc/nightshift"), "\(error)")
        }
    }

    func testColoursOnlyOnATerminal() throws {
        XCTAssertFalse(try CapturedLog(terminal: false).log.colors)
        let captured = try CapturedLog(terminal: true, colors: true)
        captured.log.error("red")
        captured.log.info("plain")
        let console = captured.console()
        XCTAssertTrue(console.contains("\u{1B}[1;31m"))
        XCTAssertTrue(console.contains("INFO  plain"))
        XCTAssertFalse(captured.file().contains("\u{1B}"))
    }

    func testConcurrentWritersNeverInterleaveInsideALine() throws {
        let captured = try CapturedLog()
        let threads = 8
        let perThread = 500
        let log = captured.log
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                log.file("thread \(thread) line \(index) " + String(repeating: "x", count: 200))
            }
        }
        let lines = captured.fileLines()
        XCTAssertEqual(lines.count, threads * perThread)
        let pattern = stampPattern + #"INFO  thread \d line \d+ x{200}"#
        XCTAssertTrue(lines.allSatisfy { matches($0, pattern) })
    }

    func testExecOutputIsLoggedPerMode() async throws {
        let captured = try CapturedLog()
        let command = ExecCommand.argv(["sh", "-c", "echo hi; echo err >&2"])
        _ = try await ProcessRunner.run(ExecRequest(command, logMode: .file), log: captured.log)
        let fileLines = captured.fileLines()
        XCTAssertTrue(fileLines.contains { matches($0, stampPattern + "OUT   sh: hi") }, "\(fileLines)")
        XCTAssertTrue(fileLines.contains { matches($0, stampPattern + "ERR   sh: err") }, "\(fileLines)")
        XCTAssertEqual(captured.console(), "")

        _ = try await ProcessRunner.run(ExecRequest(command, logMode: .console), log: captured.log, label: "job")
        XCTAssertTrue(captured.console().contains("OUT   job: hi"))
        XCTAssertEqual(captured.fileLines().count, 2)

        _ = try await ProcessRunner.run(ExecRequest(command, logMode: .both), log: captured.log)
        XCTAssertEqual(captured.fileLines().count, 4)
        XCTAssertEqual(captured.console().split(separator: "\n").count, 2)

        let quiet = try await ProcessRunner.run(ExecRequest(command, logMode: .none), log: captured.log)
        XCTAssertEqual(captured.fileLines().count, 4)
        XCTAssertEqual(captured.console(), "")
        XCTAssertEqual(text(quiet.stdout), "hi\n")
    }

    func testStatusLineIsLiftedAroundOtherOutput() throws {
        let captured = try CapturedLog(terminal: true)
        captured.log.status("waiting 00:00:05")
        captured.log.file("file only")
        captured.log.console("note")
        captured.log.clearStatus()
        let console = captured.console()
        XCTAssertTrue(console.hasPrefix("\r\u{1B}[Kwaiting 00:00:05\r\u{1B}[K"), console.debugDescription)
        XCTAssertTrue(console.contains("INFO  note\nwaiting 00:00:05"), console.debugDescription)
        XCTAssertTrue(console.hasSuffix("\r\u{1B}[K"))
        XCTAssertFalse(captured.file().contains("waiting"))
    }
}
