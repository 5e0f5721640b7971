import Foundation
import XCTest
@testable import NightShiftCore

final class StateStoreTests: XCTestCase {
    func sampleState() -> NightShiftState {
        var state = NightShiftState()
        state.recordSweep(SweepRecord(time: 1_000, up: ["Work1": true, "Backup1": false]))
        state.recordJobStart("ServerZuBackup1", at: 1_010)
        state.recordJobEnd("ServerZuBackup1", at: 1_100, result: .ok, reason: "exit 0")
        state.lastWindowRun = 900
        state.lastCycle = CycleState(start: 1_000, end: 1_200, nextCheck: 4_800, reason: "manual run")
        return state
    }

    func testMissingFileIsFreshAndUnknown() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let loaded = try StateStore(directory: dir.path).load()
        XCTAssertEqual(loaded.condition, .missing)
        XCTAssertFalse(loaded.condition.isKnown)
        XCTAssertEqual(loaded.state, NightShiftState())
    }

    func testRoundTripWithSnakeCaseSortedKeys() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path + "/nested/state/")
        let state = sampleState()
        try store.save(state)
        let loaded = try store.load()
        XCTAssertEqual(loaded.condition, .known)
        XCTAssertEqual(loaded.state, state)

        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        for key in ["\"last_seen\"", "\"last_sweep\"", "\"last_start\"", "\"last_end\"", "\"last_good\"",
                    "\"force_window\"", "\"last_window_run\"", "\"recent_sweeps\"", "\"last_cycle\"", "\"next_check\""] {
            XCTAssertTrue(text.contains(key), "missing \(key) in\n\(text)")
        }
        XCTAssertFalse(text.contains("lastSeen"))
        XCTAssertTrue(text.contains("\n  \"hosts\""), "expected indentation:\n\(text)")
        XCTAssertTrue(text.hasSuffix("}\n"))
        // Sorted keys: "force_window" comes before "hosts" before "jobs".
        let fw = text.range(of: "\"force_window\"")!.lowerBound
        let hosts = text.range(of: "\"hosts\"")!.lowerBound
        let jobs = text.range(of: "\"jobs\"")!.lowerBound
        XCTAssertLessThan(fw, hosts)
        XCTAssertLessThan(hosts, jobs)
        // Saving twice gives identical bytes (admins diff these files).
        try store.save(state)
        XCTAssertEqual(try String(contentsOfFile: store.path, encoding: .utf8), text)
        // No temporary file is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        XCTAssertEqual(names, ["state.json"])
    }

    func testOlderFilesWithMissingKeysStillLoad() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        try Data(#"{"hosts": {"Work1": {"up": true}}}"#.utf8).write(to: URL(fileURLWithPath: dir.file("state.json")))
        let loaded = try StateStore(directory: dir.path).load()
        XCTAssertEqual(loaded.condition, .known)
        XCTAssertEqual(loaded.state.hosts["Work1"], HostState(up: true))
        XCTAssertNil(loaded.state.lastWindowRun)
        XCTAssertEqual(loaded.state.jobs, [:])
    }

    func testCorruptFileIsKeptAsideAndReportedUnknown() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        let garbage = Data("{\"hosts\": {\"Work1\": {\"up\": tr".utf8)
        try garbage.write(to: URL(fileURLWithPath: store.path))
        let now = Date(timeIntervalSince1970: 1_700_000_000)

        // Read-only loading (nightshift status) reports but touches nothing.
        let peek = try store.load(quarantine: false, now: now)
        guard case .corrupt(_, nil) = peek.condition else { return XCTFail("\(peek.condition)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.path))

        let loaded = try store.load(now: now)
        guard case .corrupt(let reason, let keptAs) = loaded.condition else { return XCTFail("\(loaded.condition)") }
        XCTAssertTrue(reason.hasPrefix("invalid JSON"), reason)
        XCTAssertEqual(keptAs, store.path + ".corrupt-1700000000")
        XCTAssertFalse(loaded.condition.isKnown)
        XCTAssertEqual(loaded.state, NightShiftState())
        XCTAssertEqual(FileManager.default.contents(atPath: keptAs!), garbage)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path))
        XCTAssertTrue(loaded.condition.description.contains("kept as \(keptAs!)"), loaded.condition.description)

        // A second corrupt file in the same second gets its own name.
        try garbage.write(to: URL(fileURLWithPath: store.path))
        guard case .corrupt(_, let second) = try store.load(now: now).condition else { return XCTFail() }
        XCTAssertEqual(second, store.path + ".corrupt-1700000000-2")

        // Wrong types and empty files are corrupt too.
        try Data(#"{"hosts": 5}"#.utf8).write(to: URL(fileURLWithPath: store.path))
        guard case .corrupt(let typeReason, _) = try store.load(quarantine: false).condition else { return XCTFail() }
        XCTAssertEqual(typeReason, "wrong type at hosts")
        try Data().write(to: URL(fileURLWithPath: store.path))
        XCTAssertEqual(try store.load(quarantine: false).condition, .corrupt(reason: "empty file", keptAs: nil))
    }

    func testStaleTemporariesOfDeadWritersAreRemoved() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = StateStore(directory: dir.path)
        // A pid far above pid_max cannot be alive; our own pid is alive.
        let dead = dir.file(".state.json.tmp-99999999-1")
        let alive = dir.file(".state.json.tmp-\(getpid())-1")
        _ = FileManager.default.createFile(atPath: dead, contents: Data("{".utf8))
        _ = FileManager.default.createFile(atPath: alive, contents: Data("{".utf8))
        _ = try store.load()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead))
        XCTAssertTrue(FileManager.default.fileExists(atPath: alive))
    }

    func testSaveFailsClearlyWhenDirectoryIsAFile() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.file("plain"), contents: Data())
        XCTAssertThrowsError(try StateStore(directory: dir.file("plain")).save(NightShiftState())) { error in
            XCTAssertTrue("\(error)".contains("plain"), "\(error)")
        }
    }

    func testSweepBookkeeping() {
        var state = NightShiftState()
        state.recordSweep(SweepRecord(time: 100, up: ["A": true, "B": false]), keep: 2)
        state.recordSweep(SweepRecord(time: 200, up: ["A": true, "B": true]), keep: 2)
        state.recordSweep(SweepRecord(time: 300, up: ["A": false, "B": true]), keep: 2)
        XCTAssertEqual(state.hosts["A"], HostState(up: false, since: 300, lastSeen: 200, lastSweep: 300))
        XCTAssertEqual(state.hosts["B"], HostState(up: true, since: 200, lastSeen: 300, lastSweep: 300))
        XCTAssertEqual(state.recentSweeps.map(\.time), [200, 300])
    }

    func testJobBookkeeping() {
        var state = NightShiftState()
        state.recordJobStart("J", at: 10)
        XCTAssertEqual(state.runningJobs, ["J"])
        state.recordJobEnd("J", at: 20, result: .warning, reason: "exit 1 (warnings)")
        XCTAssertEqual(state.jobs["J"]?.lastGood, 20)
        state.recordJobStart("J", at: 30)
        XCTAssertNil(state.jobs["J"]?.lastEnd)
        state.recordJobEnd("J", at: 40, result: .failed, reason: "exit 2")
        XCTAssertEqual(state.jobs["J"], JobState(lastStart: 30, lastEnd: 40, result: .failed, reason: "exit 2", lastGood: 20))
        state.recordJobStart("K", at: 50)
        XCTAssertEqual(state.markRunningJobsInterrupted(at: 60), ["K"])
        XCTAssertEqual(state.jobs["K"]?.result, .interrupted)
        XCTAssertNil(state.jobs["K"]?.lastGood)
        XCTAssertEqual(state.runningJobs, [])
    }
}

final class StateRetainTests: XCTestCase {
    func testRetainDropsRemovedHostsAndJobs() {
        var state = NightShiftState()
        state.recordSweep(SweepRecord(time: 1, up: ["A": true, "Gone": false]))
        state.recordJobEnd("J", at: 2, result: .ok)
        state.recordJobEnd("Old", at: 2, result: .ok)
        state.retain(hosts: ["A"], jobs: ["J"])
        XCTAssertEqual(Set(state.hosts.keys), ["A"])
        XCTAssertEqual(Set(state.jobs.keys), ["J"])
        // Sweeps stay: they are history, and the trigger only reads watched names from them.
        XCTAssertEqual(state.recentSweeps.count, 1)
    }
}
