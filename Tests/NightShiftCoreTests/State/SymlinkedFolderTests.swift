import Foundation
import XCTest
@testable import NightShiftCore

/// Invariant 11 for every folder above a file: a symlink someone else could have planted in
/// any component (a share user's link in place of the report folder) is refused, naming it,
/// and nothing is written where it points; a symlink only root can have made is followed.
final class SymlinkedFolderTests: XCTestCase {
    private let nobody: uid_t = 65534

    /// `dir/share` (0777, like an office share) holding `folder`, a symlink to `dir/elsewhere`
    /// that a share user (uid nobody) made.
    private func plantSharedLink(_ dir: TestDirectory, folder: String = "reports", owner: uid_t? = nil) throws -> (link: String, elsewhere: String) {
        let share = dir.file("share")
        let elsewhere = dir.file("elsewhere")
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        chmod(share, 0o777)
        let link = share + "/" + folder
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)
        let uid = owner ?? nobody
        guard lchown(link, uid, gid_t(uid)) == 0 else { throw XCTSkip("cannot give the link to uid \(uid) (not root?)") }
        return (link, elsewhere)
    }

    private func assertRefused(_ error: any Error, naming link: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = "\(error)"
        XCTAssertTrue(text.contains("\(link) is a symbolic link") && text.contains("refusing"), text, file: file, line: line)
    }

    private func assertEmpty(_ folder: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [], "written through the link", file: file, line: line)
    }

    func testAFailureReportUnderAReportFolderASharUserLinkedAwayIsRefused() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, elsewhere) = try plantSharedLink(dir)
        XCTAssertThrowsError(try FailureReport.write("log\n", to: link + "/Backup Job J failed.txt")) { assertRefused($0, naming: link) }
        // A deeper folder the report would create below the link: refused too, nothing made.
        XCTAssertThrowsError(try FailureReport.write("log\n", to: link + "/2026/J.txt")) { assertRefused($0, naming: link) }
        assertEmpty(elsewhere)
    }

    func testARootOwnedLinkInAFolderOthersCanWriteIsRefusedToo() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, elsewhere) = try plantSharedLink(dir, owner: 0)
        XCTAssertThrowsError(try SafeFile.replace(link + "/status.html", with: Array("x".utf8))) { assertRefused($0, naming: link) }
        assertEmpty(elsewhere)
    }

    func testStateLogHistoryLockAndMetricsUnderALinkedFolderAreRefused() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let (link, elsewhere) = try plantSharedLink(dir, folder: "nightshift")
        let stateDir = link + "/state"
        XCTAssertThrowsError(try StateStore(directory: stateDir).save(NightShiftState())) { assertRefused($0, naming: link) }
        XCTAssertThrowsError(try HistoryLog(directory: link).append(.job(JobRecord(name: "J", start: 1, end: 2, result: .ok)))) {
            assertRefused($0, naming: link)
        }
        XCTAssertThrowsError(try InstanceLock(stateDir: link)) { assertRefused($0, naming: link) }
        let console = open("/dev/null", O_WRONLY)
        defer { close(console) }
        XCTAssertThrowsError(try NightShiftLog(filePath: link + "/logs/nightshift.log", consoleIsTerminal: false, consoleDescriptor: console)) {
            assertRefused($0, naming: link)
        }
        let good = dir.file("state")
        try StateStore(directory: good).save(NightShiftState())
        XCTAssertThrowsError(try MetricsTextfile.write(path: link + "/nightshift.prom", stateDir: good, now: 1)) {
            assertRefused($0, naming: link)
        }
        assertEmpty(elsewhere)
    }

    func testALinkOnlyRootCanHaveMadeIsFollowed() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        // Like /var/run -> /run: root's link in root's folder that nobody else may write.
        chmod(dir.path, 0o755)
        let real = dir.file("real")
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("alias"), withDestinationPath: "real")
        try SafeFile.replace(dir.file("alias") + "/new/report.txt", with: Array("ok\n".utf8), mode: 0o644)
        XCTAssertEqual(try String(contentsOfFile: real + "/new/report.txt", encoding: .utf8), "ok\n")
    }

    func testFoldersItCreatesHaveTheirModeWhateverTheUmask() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let old = umask(0o077)
        defer { umask(old) }
        try SafeFile.makeFolder(dir.file("a/b/state"), mode: 0o700)
        var info = stat()
        XCTAssertEqual(stat(dir.file("a/b"), &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o755)
        XCTAssertEqual(stat(dir.file("a/b/state"), &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
    }
}
