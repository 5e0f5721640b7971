import Foundation
import XCTest
@testable import NightShiftCore

/// Invariant 12's storage: the outbox keeps messages in order, within its bounds, with fixed
/// modes and never through a symlink.
final class OutboxTests: XCTestCase {
    private func message(_ label: String, at time: Double, bytes: Int = 10) -> OutboxMessage {
        OutboxMessage(label: label, created: time, kind: "http", url: "http://127.0.0.1:1/ping/x", method: "POST",
                      headers: ["Title": "t"], body: Array(repeating: 0x61, count: bytes))
    }

    func testMessagesComeBackOldestFirstAndAreGoneOnceRemoved() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let box = Outbox(stateDir: dir.path)
        XCTAssertEqual(box.count(), 0)
        XCTAssertEqual(try box.list().count, 0, "no outbox folder yet is an empty outbox")
        let second = try box.add(message("second", at: 200)).id
        let first = try box.add(message("first", at: 100)).id
        let listed = try box.list()
        XCTAssertEqual(listed.map(\.message.label), ["first", "second"])
        XCTAssertEqual(listed.first?.message, message("first", at: 100))
        XCTAssertTrue(try box.remove(first))
        XCTAssertFalse(try box.remove(first))
        XCTAssertEqual(try box.list().map(\.id), [second])
        XCTAssertEqual(box.count(), 1)
        XCTAssertThrowsError(try box.remove("../state.json"), "an id is never a path")
    }

    func testTheOldestAreDroppedToStayWithinCountAndBytes() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let byCount = Outbox(stateDir: dir.path, maxCount: 3)
        var dropped: [String] = []
        for i in 1...5 { dropped += try byCount.add(message("m\(i)", at: Double(i))).dropped }
        XCTAssertEqual(dropped, ["m1", "m2"])
        XCTAssertEqual(try byCount.list().map(\.message.label), ["m3", "m4", "m5"])

        let other = try TestDirectory()
        defer { other.remove() }
        let byBytes = Outbox(stateDir: other.path, maxBytes: 3000)
        dropped = []
        for i in 1...4 { dropped += try byBytes.add(message("b\(i)", at: Double(i), bytes: 900)).dropped }
        // Each file is about 1.4 kB (the body is base64): two fit in 3000 bytes.
        XCTAssertEqual(dropped, ["b1", "b2"])
        XCTAssertEqual(try byBytes.list().map(\.message.label), ["b3", "b4"])
        XCTAssertLessThanOrEqual(try byBytes.list().reduce(0) { $0 + $1.bytes }, 3000)
        // The newest message is always kept, even when it alone is over the bound.
        let huge = try byBytes.add(message("huge", at: 9, bytes: 10_000))
        XCTAssertEqual(huge.dropped, ["b3", "b4"])
        XCTAssertEqual(try byBytes.list().map(\.message.label), ["huge"])
    }

    func testModesDoNotDependOnTheUmask() throws {
        for mask: mode_t in [0o000, 0o077] {
            let dir = try TestDirectory()
            defer { dir.remove() }
            let old = umask(mask)
            defer { umask(old) }
            let id = try Outbox(stateDir: dir.path).add(message("m", at: 1)).id
            var info = stat()
            XCTAssertEqual(stat(dir.path + "/outbox", &info), 0)
            XCTAssertEqual(info.st_mode & 0o777, 0o700, "outbox folder under umask \(String(mask, radix: 8))")
            XCTAssertEqual(stat(dir.path + "/outbox/" + id, &info), 0)
            XCTAssertEqual(info.st_mode & 0o777, 0o600, "message under umask \(String(mask, radix: 8))")
        }
    }

    func testAnOutboxThatIsASymlinkIsNeverFollowed() throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let elsewhere = dir.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        XCTAssertEqual(symlink(elsewhere, dir.path + "/outbox"), 0)
        let box = Outbox(stateDir: dir.path)
        XCTAssertThrowsError(try box.add(message("m", at: 1))) { error in
            XCTAssertTrue("\(error)".contains("outbox is not a directory"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere), [])
        XCTAssertEqual(box.count(), 0)
    }
}
