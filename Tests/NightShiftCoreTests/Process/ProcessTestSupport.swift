import Foundation
import Synchronization
@testable import NightShiftCore

/// Records every line a runner hands out, with the time it arrived.
final class RecordingSink: LineSink {
    struct Entry: Sendable {
        let stream: ProcessStream
        let text: String
        let at: ContinuousClock.Instant
    }

    private let entries = Mutex<[Entry]>([])
    private let countOnly: Bool
    private let counter = Atomic<Int>(0)

    /// `countOnly` keeps memory flat for huge outputs.
    init(countOnly: Bool = false) {
        self.countOnly = countOnly
    }

    func receive(_ stream: ProcessStream, lines: LineBatch) {
        counter.add(lines.count, ordering: .relaxed)
        if countOnly { return }
        let now = ContinuousClock.now
        entries.withLock { list in
            for line in lines {
                list.append(Entry(stream: stream, text: String(decoding: line, as: UTF8.self), at: now))
            }
        }
    }

    var all: [Entry] { entries.withLock { $0 } }
    var count: Int { counter.load(ordering: .relaxed) }
    func lines(_ stream: ProcessStream) -> [String] { all.filter { $0.stream == stream }.map(\.text) }
}

/// Processes (not zombies) whose process group is `pgid`, read from /proc.
func liveMembers(ofGroup pgid: Int32) -> [Int32] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var members: [Int32] = []
    for name in names {
        guard let pid = Int32(name),
              let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // After "(comm)": state ppid pgrp ...; comm itself may hold spaces.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z", Int32(fields[2]) == pgid else { continue }
        members.append(pid)
    }
    return members
}

/// The live members of group `pgid` once it had `within` seconds to die (polled every 10 ms).
///
/// A SIGKILLed process disappears from /proc only when the kernel has torn it down and
/// its parent reaped it, which on a busy machine takes a moment after `killpg` returns;
/// asserting at once flakes, so a test asserts on what is still alive after the bound.
func membersLeft(ofGroup pgid: Int32, within seconds: Double = 1) -> [Int32] {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    var members = liveMembers(ofGroup: pgid)
    while !members.isEmpty, ContinuousClock.now < deadline {
        usleep(10_000)
        members = liveMembers(ofGroup: pgid)
    }
    return members
}

/// Peak resident set size of this process in KiB (VmHWM).
func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
}

func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "nightshift-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

extension ContinuousClock.Instant {
    func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = self - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
