import Foundation
import XCTest
@testable import NightShiftCore

/// A FIFO, device or directory in place of a state or log file is refused at once: an open
/// that waits for a FIFO's other end would block a signal's handling forever.
final class NonRegularFileTests: XCTestCase {
    private func makeFIFO(_ path: String) throws {
        guard mkfifo(path, 0o600) == 0 else { throw XCTSkip("cannot make a FIFO here: \(String(cString: strerror(errno)))") }
    }

    private func assertNotRegular(_ error: any Error, naming path: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = "\(error)"
        XCTAssertTrue(text.contains(path) && text.contains("is not a regular file"), text, file: file, line: line)
    }

    func testAFIFOAsStateFileIsRefused() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        try makeFIFO(store.path)
        XCTAssertThrowsError(try store.load()) { assertNotRegular($0, naming: store.path) }
        XCTAssertThrowsError(try store.save(NightShiftState())) { assertNotRegular($0, naming: store.path) }
    }

    func testAFIFOAsHistoryIsRefused() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let history = HistoryLog(directory: dir.path)
        try makeFIFO(history.path)
        XCTAssertThrowsError(try history.append(.job(JobRecord(name: "J", start: 1, end: 2, result: .ok)))) {
            assertNotRegular($0, naming: history.path)
        }
        XCTAssertThrowsError(try history.read()) { assertNotRegular($0, naming: history.path) }
    }

    func testAFIFOOrDirectoryAsLockIsRefused() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        try makeFIFO(dir.file(InstanceLock.fileName))
        XCTAssertThrowsError(try InstanceLock(stateDir: dir.path)) { assertNotRegular($0, naming: dir.file(InstanceLock.fileName)) }
        let other = dir.file("other")
        try FileManager.default.createDirectory(atPath: other + "/" + InstanceLock.fileName, withIntermediateDirectories: true)
        XCTAssertThrowsError(try InstanceLock(stateDir: other)) { assertNotRegular($0, naming: other + "/" + InstanceLock.fileName) }
    }

    func testAFIFODeviceOrDirectoryAsLogFileIsRefused() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let fifo = dir.file("log.fifo")
        try makeFIFO(fifo)
        let console = open("/dev/null", O_WRONLY)
        defer { close(console) }
        for path in [fifo, "/dev/null", dir.path] {
            XCTAssertThrowsError(try NightShiftLog(filePath: path, consoleIsTerminal: false, consoleDescriptor: console)) {
                assertNotRegular($0, naming: path)
            }
        }
    }
}
