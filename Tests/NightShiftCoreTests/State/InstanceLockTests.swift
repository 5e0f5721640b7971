import Foundation
import XCTest
@testable import NightShiftCore

final class InstanceLockTests: XCTestCase {
    func testSecondLockFailsNamingHolderThenSucceedsAfterRelease() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let first = try InstanceLock(stateDir: dir.path + "/state/")
        XCTAssertTrue(first.isHeld)
        XCTAssertEqual(first.path, dir.path + "/state/nightshift.lock")
        XCTAssertEqual(try String(contentsOfFile: first.path, encoding: .utf8), "\(getpid())\n")
        // flock belongs to the open file description, so even this process cannot take it twice.
        XCTAssertThrowsError(try InstanceLock(stateDir: dir.path + "/state")) { error in
            let lockError = error as? InstanceLockError
            XCTAssertEqual(lockError?.holderPID, getpid())
            XCTAssertEqual(lockError?.message, "another nightshift (pid \(getpid())) holds \(dir.path)/state/nightshift.lock")
        }
        XCTAssertEqual(InstanceLock.holder(stateDir: dir.path + "/state"), getpid())
        first.release()
        XCTAssertFalse(first.isHeld)
        XCTAssertNil(InstanceLock.holder(stateDir: dir.path + "/state"))
        first.release()
        let second = try InstanceLock(stateDir: dir.path + "/state")
        XCTAssertTrue(second.isHeld)
    }

    func testHolderOfMissingLockIsNil() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        XCTAssertNil(InstanceLock.holder(stateDir: dir.path))
        XCTAssertNil(InstanceLock.holder(stateDir: dir.path + "/nope"))
    }

    func testDroppingTheLockReleasesIt() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        do { _ = try InstanceLock(stateDir: dir.path) }
        XCTAssertNoThrow(try InstanceLock(stateDir: dir.path))
    }

    func testLockOfKilledProcessIsReleased() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let child = try ChildTestProcess(method: "testChildLockHolder", variable: ChildProcessModes.lockVariable, value: dir.path)
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: dir.file("ready")) {
            guard Date() < deadline, child.process.isRunning else {
                child.killHard()
                return XCTFail("lock holder child did not start")
            }
            usleep(10_000)
        }
        XCTAssertThrowsError(try InstanceLock(stateDir: dir.path)) { error in
            XCTAssertEqual("\(error)", "another nightshift (pid \(child.pid)) holds \(dir.path)/nightshift.lock")
        }
        XCTAssertEqual(InstanceLock.holder(stateDir: dir.path), child.pid)
        child.killHard()
        XCTAssertEqual(child.process.terminationReason, .uncaughtSignal)
        XCTAssertNil(InstanceLock.holder(stateDir: dir.path))
        let lock = try InstanceLock(stateDir: dir.path)
        XCTAssertTrue(lock.isHeld)
        XCTAssertEqual(try String(contentsOfFile: lock.path, encoding: .utf8), "\(getpid())\n")
    }

    func testChildrenDoNotInheritTheLock() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let lock = try InstanceLock(stateDir: dir.path)
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
        lock.release()
        // Were the descriptor inherited, the still-running sleep would keep the lock.
        XCTAssertNoThrow(try InstanceLock(stateDir: dir.path))
    }
}
