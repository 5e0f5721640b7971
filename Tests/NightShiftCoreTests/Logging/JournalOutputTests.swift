import Foundation
import XCTest
@testable import NightShiftCore

/// Under systemd (`JOURNAL_STREAM` set) the console is journald's: a syslog priority on
/// every line, no ANSI colours, no live countdown line; the log file is unchanged.
final class JournalOutputTests: XCTestCase {
    func testConsoleLinesCarryTheirPriorityAndNoColours() throws {
        let captured = try CapturedLog(terminal: true, colors: true, journal: true, debug: true)
        captured.log.info("one")
        captured.log.warn("two\nthree")
        captured.log.error("four")
        captured.log.debug("five")
        let console = captured.console().split(separator: "\n").map(String.init)
        XCTAssertEqual(console.count, 5, "\(console)")
        XCTAssertTrue(matches(console[0], "<6>" + stampPattern + "INFO  one"), console[0])
        XCTAssertTrue(matches(console[1], "<4>" + stampPattern + "WARN  two"), console[1])
        XCTAssertTrue(matches(console[2], "<4>" + stampPattern + "WARN  three"), console[2])
        XCTAssertTrue(matches(console[3], "<3>" + stampPattern + "ERROR four"), console[3])
        XCTAssertTrue(matches(console[4], "<7>" + stampPattern + "DEBUG five"), console[4])
        XCTAssertFalse(captured.console().contains("\u{1B}"))
        // The file has no priorities.
        let file = captured.fileLines()
        XCTAssertEqual(file.count, 5)
        XCTAssertTrue(matches(file[0], stampPattern + "INFO  one"), file[0])
    }

    func testChildOutputGetsAPriorityOnTheConsoleOnly() throws {
        let captured = try CapturedLog(journal: true)
        let sink = try XCTUnwrap(captured.log.processSink(mode: .both, label: "copy"))
        let storage = Array("a\u{1B}[1mb".utf8) + Array("c".utf8)
        sink.receive(.stdout, lines: LineBatch(storage: storage, ranges: [0..<(storage.count - 1), (storage.count - 1)..<storage.count]))
        let console = captured.console().split(separator: "\n").map(String.init)
        XCTAssertEqual(console.count, 2, "\(console)")
        XCTAssertTrue(matches(console[0], "<6>" + stampPattern + #"OUT   copy: a\\x1b\[1mb"#), console[0])
        XCTAssertTrue(matches(console[1], "<6>" + stampPattern + "OUT   copy: c"), console[1])
        let file = captured.fileLines()
        XCTAssertEqual(file.count, 2)
        XCTAssertTrue(matches(file[1], stampPattern + "OUT   copy: c"), file[1])
    }

    func testCountdownIsOneLineNotALiveLine() throws {
        let captured = try CapturedLog(terminal: true, journal: true)
        XCTAssertFalse(captured.log.consoleIsTerminal)
        try Countdown.run(seconds: 0.2, text: "Next check in", log: captured.log, interruption: Interruption())
        let console = captured.console()
        XCTAssertFalse(console.contains("\r"), console)
        XCTAssertTrue(console.hasPrefix("<6>") && console.contains("INFO  Next check in 00:00:0"), console)
        XCTAssertEqual(console.split(separator: "\n").count, 1, console)
    }

    func testJournalStreamEnvironmentTurnsItOn() throws {
        setenv("JOURNAL_STREAM", "8:12345", 1)
        defer { unsetenv("JOURNAL_STREAM") }
        let log = try NightShiftLog(filePath: nil, consoleIsTerminal: true, colors: true)
        XCTAssertTrue(log.journal)
        XCTAssertFalse(log.colors)
        XCTAssertFalse(log.consoleIsTerminal)
    }
}
