import Foundation
@testable import NightShiftCore
import XCTest

/// What `check` asks of every path the night writes, before the night.
final class WritablePathTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "writable-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        chmod(dir + "/ro", 0o755)
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testAFileInAMissingFolderThatTheNightDoesNotCreateIsRefusedNamingTheFolder() {
        XCTAssertEqual(WritablePath.problem(dir + "/nope/metrics.prom", kind: .fileInExistingFolder),
                       "cannot be written: its folder \(dir)/nope does not exist (create it, or fix the path)")
        XCTAssertNil(WritablePath.problem(dir + "/metrics.prom", kind: .fileInExistingFolder))
    }

    func testFoldersMadeOnDemandNeedTheirNearestExistingFolderWritable() throws {
        XCTAssertNil(WritablePath.problem(dir + "/a/b/state", kind: .folderMadeOnDemand))
        XCTAssertNil(WritablePath.problem(dir + "/a/b/night.log", kind: .fileInFolderMadeOnDemand))
        try "x".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        XCTAssertEqual(WritablePath.problem(dir + "/file", kind: .folderMadeOnDemand), "is not a folder")
        XCTAssertEqual(WritablePath.problem(dir + "/file/state", kind: .folderMadeOnDemand), "cannot be created: \(dir)/file is not a folder")
        XCTAssertEqual(WritablePath.problem(dir, kind: .fileInFolderMadeOnDemand), "is a folder, not a file")
    }

    func testAFolderThatIsNotWritableIsRefused() throws {
        guard geteuid() != 0 else { throw XCTSkip("root may write any folder: run as a normal user to test permissions") }
        try FileManager.default.createDirectory(atPath: dir + "/ro", withIntermediateDirectories: true)
        chmod(dir + "/ro", 0o555)
        XCTAssertTrue(WritablePath.problem(dir + "/ro/metrics.prom", kind: .fileInExistingFolder)?
            .hasPrefix("cannot be written: its folder \(dir)/ro is not writable by ") ?? false)
        XCTAssertTrue(WritablePath.problem(dir + "/ro/x/state", kind: .folderMadeOnDemand)?
            .hasPrefix("cannot be created: \(dir)/ro is not writable by ") ?? false)
    }
}
