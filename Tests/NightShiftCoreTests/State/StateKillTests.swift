import Foundation
import XCTest
@testable import NightShiftCore

/// Invariant 3: SIGKILL at random instants while a real child process saves states in a loop
/// must always leave a parseable `state.json`, never older than the last one seen.
final class StateKillTests: XCTestCase {
    /// A state big enough (~100 KB) that each save takes a while, so kills land mid-save.
    static func bulkyState(counter: Int) -> NightShiftState {
        var state = NightShiftState()
        var up: [String: Bool] = [:]
        for i in 0..<400 { up["Host\(i)"] = i % 3 == 0 }
        state.recordSweep(SweepRecord(time: Double(counter), up: up))
        for i in 0..<100 {
            state.recordJobEnd("Job\(i)", at: Double(i), result: .ok, reason: String(repeating: "r", count: 200))
        }
        return state
    }

    func testKillDuringStateWritesNeverLeavesATornFile() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        let kills = Int(ProcessInfo.processInfo.environment["NIGHTSHIFT_KILL_ROUNDS"] ?? "") ?? 200
        var lastCounter = 0
        var leftovers = 0
        var writesSeen = 0
        let started = Date()
        for round in 0..<kills {
            let before = Self.fingerprint(store.path)
            let child = try ChildTestProcess(method: "testChildStateWriterLoop",
                                             variable: ChildProcessModes.writerVariable, value: dir.path)
            // Wait for the child's first completed save, then kill it at a random instant.
            let deadline = Date().addingTimeInterval(30)
            while Self.fingerprint(store.path) == before {
                guard Date() < deadline, child.process.isRunning else {
                    child.killHard()
                    return XCTFail("writer child made no save in round \(round)")
                }
                usleep(500)
            }
            usleep(UInt32.random(in: 0...8_000))
            child.killHard()

            let loaded = try store.load(quarantine: false)
            guard loaded.condition == .known else {
                return XCTFail("round \(round): state.json unreadable after SIGKILL: \(loaded.condition)")
            }
            let counter = Int(loaded.state.lastCycle?.start ?? 0)
            XCTAssertGreaterThanOrEqual(counter, lastCounter, "round \(round): state went backwards")
            XCTAssertEqual(loaded.state.hosts.count, 400)
            writesSeen += counter - lastCounter
            lastCounter = counter
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            leftovers += names.filter { $0.hasPrefix(".state.json.tmp-") }.count
            // The next writer's load() sweeps the dead writer's temporary file away.
        }
        let seconds = Date().timeIntervalSince(started)
        print("state kill test: \(kills) SIGKILLs, \(writesSeen) saves, \(leftovers) kills caught a save mid-write, \(String(format: "%.1f", seconds)) s")
        // Each round waits for a completed save, so there is at least one per kill; how many more
        // fit into the random delay depends on the machine's load (a busy 2-core box may fit none,
        // which made `>` fail there): the proof is in the per-round checks above, not this count.
        XCTAssertGreaterThanOrEqual(writesSeen, kills)
    }

    /// Changes whenever the file is replaced or rewritten, however the writer does it.
    static func fingerprint(_ path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        return [Int(info.st_ino), info.st_mtim.tv_sec, info.st_mtim.tv_nsec, Int(info.st_size)]
    }
}
