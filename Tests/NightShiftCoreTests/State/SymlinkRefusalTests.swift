import Foundation
import XCTest
@testable import NightShiftCore

/// Invariant 11: no file of the state directory, the log or the failure report is written
/// through a symbolic link; each refusal names the path.
final class SymlinkRefusalTests: XCTestCase {
    private let victimText = "the NAS's own file\n"

    /// A directory holding `victim` and a symlink `name` pointing at it.
    private func plant(_ name: String, in dir: TestDirectory) throws -> (link: String, victim: String) {
        let victim = dir.file("victim.txt")
        try victimText.write(toFile: victim, atomically: false, encoding: .utf8)
        let link = dir.file(name)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        return (link, victim)
    }

    private func assertVictimUnchanged(_ victim: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), victimText, "the symlink's target was changed",
                       file: file, line: line)
    }

    private func assertRefusal(_ error: any Error, naming path: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = "\(error)"
        XCTAssertTrue(text.contains(path) && text.contains("is a symbolic link; refusing"), text, file: file, line: line)
    }

    func testSymlinkedStateFileIsNeitherReadNorReplaced() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, victim) = try plant(StateStore.fileName, in: dir)
        let store = StateStore(directory: dir.path)
        XCTAssertThrowsError(try store.save(NightShiftState())) { assertRefusal($0, naming: link) }
        XCTAssertThrowsError(try store.load()) { assertRefusal($0, naming: link) }
        assertVictimUnchanged(victim)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), victim, "the link itself stays for the admin to see")
    }

    func testSymlinkedHistoryIsNotAppendedTo() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, victim) = try plant(HistoryLog.fileName, in: dir)
        let history = HistoryLog(directory: dir.path)
        XCTAssertThrowsError(try history.append(.job(JobRecord(name: "J", start: 1, end: 2, result: .ok)))) {
            assertRefusal($0, naming: link)
        }
        XCTAssertThrowsError(try history.read()) { assertRefusal($0, naming: link) }
        assertVictimUnchanged(victim)
    }

    func testSymlinkedLockFileIsNotTruncated() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, victim) = try plant(InstanceLock.fileName, in: dir)
        XCTAssertThrowsError(try InstanceLock(stateDir: dir.path)) { assertRefusal($0, naming: link) }
        assertVictimUnchanged(victim)
    }

    func testSymlinkedLogFileIsNotWrittenThrough() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, victim) = try plant("nightshift.log", in: dir)
        let console = open("/dev/null", O_WRONLY)
        defer { close(console) }
        XCTAssertThrowsError(try NightShiftLog(filePath: link, consoleIsTerminal: false, consoleDescriptor: console)) {
            assertRefusal($0, naming: link)
        }
        assertVictimUnchanged(victim)
    }

    func testSymlinkedFailureReportIsNotWrittenThrough() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, victim) = try plant("Backup Job J failed.txt", in: dir)
        XCTAssertThrowsError(try FailureReport.write("report", to: link)) { assertRefusal($0, naming: link) }
        assertVictimUnchanged(victim)
    }
}
