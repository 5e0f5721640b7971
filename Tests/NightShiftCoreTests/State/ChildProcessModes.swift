import Foundation
import XCTest
@testable import NightShiftCore

/// Hidden roles that the test bundle plays when re-executed by `ChildTestProcess`: a state writer
/// looping forever, and a lock holder. Run normally, these tests skip.
final class ChildProcessModes: XCTestCase {
    static let writerVariable = "NIGHTSHIFT_STATE_WRITER"
    static let lockVariable = "NIGHTSHIFT_LOCK_HOLDER"

    /// Saves ever-newer states into the directory named by NIGHTSHIFT_STATE_WRITER until killed.
    func testChildStateWriterLoop() throws {
        guard let dir = ProcessInfo.processInfo.environment[Self.writerVariable] else {
            throw XCTSkip("child role: runs only when re-executed with \(Self.writerVariable) set")
        }
        let store = StateStore(directory: dir)
        let loaded = try store.load()
        var counter = loaded.state.lastCycle.map { Int($0.start) } ?? 0
        var state = StateKillTests.bulkyState(counter: counter)
        while true {
            counter += 1
            state.lastCycle = CycleState(start: Double(counter), end: nil, nextCheck: nil, reason: "writer \(getpid())")
            try store.save(state)
        }
    }

    /// Takes the instance lock in NIGHTSHIFT_LOCK_HOLDER, says so in `ready`, and sleeps until killed.
    func testChildLockHolder() throws {
        guard let dir = ProcessInfo.processInfo.environment[Self.lockVariable] else {
            throw XCTSkip("child role: runs only when re-executed with \(Self.lockVariable) set")
        }
        let lock = try InstanceLock(stateDir: dir)
        _ = FileManager.default.createFile(atPath: dir + "/ready", contents: Data("\(getpid())".utf8))
        while lock.isHeld { sleep(60) }
    }
}

/// The test bundle re-executed to play one of the `ChildProcessModes` roles.
struct ChildTestProcess {
    let process: Process

    /// Starts `/proc/self/exe` running only `ChildProcessModes/<method>` with `variable=value`.
    init(method: String, variable: String, value: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["NightShiftCoreTests.ChildProcessModes/\(method)"]
        var env = ProcessInfo.processInfo.environment
        env[variable] = value
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGKILLs the child and reaps it.
    func killHard() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}
