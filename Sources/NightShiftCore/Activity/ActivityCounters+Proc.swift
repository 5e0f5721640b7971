import Foundation
import NightShiftBase

/// The /proc and /sys reads behind the activity counters (the parsers are pure and live in NightShiftBase).
extension ActivityCounters {
    /// Whether /sys/block has `name` (whole disks are there, partitions are not).
    public static func isWholeDisk(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "/sys/block/" + name)
    }

    /// The current network counters, or nil when /proc/net/dev cannot be read.
    public static func readNetwork(path: String = "/proc/net/dev") -> [String: UInt64]? {
        (try? String(contentsOfFile: path, encoding: .utf8)).map { network(procNetDev: $0) }
    }

    /// The current disk counters, or nil when /proc/diskstats cannot be read.
    public static func readDisk(path: String = "/proc/diskstats") -> [String: UInt64]? {
        (try? String(contentsOfFile: path, encoding: .utf8)).map { disk(procDiskstats: $0, isWholeDisk: isWholeDisk) }
    }

    /// Names (`comm`) of the running processes, by pid, from /proc; `exclude` left out.
    public static func processNames(exclude: Int32 = getpid()) -> [Int32: String] {
        var out: [Int32: String] = [:]
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return out }
        for entry in entries {
            guard let pid = Int32(entry), pid != exclude,
                  let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8) else { continue }
            out[pid] = comm.trimmingCharacters(in: .newlines)
        }
        return out
    }
}
