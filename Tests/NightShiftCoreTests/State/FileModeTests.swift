import Foundation
import XCTest
@testable import NightShiftCore

/// Invariant 11: the modes of what NightShift creates do not depend on the umask.
final class FileModeTests: XCTestCase {
    private func mode(_ path: String) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0o7777 }
        return info.st_mode & 0o7777
    }

    /// Creates every kind of file under `mask` and checks its mode.
    private func checkModes(umask mask: mode_t, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let old = umask(mask)
        defer { umask(old) }
        let stateDir = dir.file("state")
        let lock = try InstanceLock(stateDir: stateDir)
        defer { lock.release() }
        try StateStore(directory: stateDir).save(NightShiftState())
        try HistoryLog(directory: stateDir).append(.job(JobRecord(name: "J", start: 1, end: 2, result: .ok)))
        let logPath = dir.file("logs/nightshift.log")
        let console = open("/dev/null", O_WRONLY)
        defer { close(console) }
        let log = try NightShiftLog(filePath: logPath, consoleIsTerminal: false, consoleDescriptor: console)
        log.info("x")
        let report = dir.file("share/Backup Job J failed.txt")
        try FailureReport.write("report", to: report)

        let expected: [(String, mode_t)] = [
            (stateDir, 0o700), (stateDir + "/" + StateStore.fileName, 0o600), (stateDir + "/" + HistoryLog.fileName, 0o600),
            (lock.path, 0o600), (logPath, 0o600), (report, 0o644),
        ]
        for (path, want) in expected {
            XCTAssertEqual(String(mode(path), radix: 8), String(want, radix: 8), "\(path) under umask \(String(mask, radix: 8))",
                           file: file, line: line)
        }
    }

    func testModesUnderUmask000() throws { try checkModes(umask: 0o000) }

    func testModesUnderUmask077() throws { try checkModes(umask: 0o077) }
}
