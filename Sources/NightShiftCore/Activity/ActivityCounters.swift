import Foundation

/// Byte counters from /proc (network interfaces, block devices), sampled twice for a rate:
/// the traffic and disk busy checks.
///
/// Hand-written: two small /proc text formats; no Swift library reads them.
public enum ActivityCounters {
    /// Bytes received plus sent per interface from `/proc/net/dev` text, loopback left out.
    public static func network(procNetDev text: String) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name != "lo" else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ").compactMap { UInt64($0) }
            // Receive bytes is the 1st field, transmit bytes the 9th.
            guard fields.count >= 9 else { continue }
            out[name] = fields[0] &+ fields[8]
        }
        return out
    }

    /// Bytes read plus written per whole disk from `/proc/diskstats` text: partitions,
    /// loop, ram and device-mapper devices are left out so that nothing counts twice.
    public static func disk(procDiskstats text: String, isWholeDisk: (String) -> Bool = ActivityCounters.isWholeDisk) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 10, let read = UInt64(f[5]), let written = UInt64(f[9]) else { continue }
            let name = String(f[2])
            if name.hasPrefix("loop") || name.hasPrefix("ram") || name.hasPrefix("dm-") || name.hasPrefix("zram") { continue }
            guard isWholeDisk(name) else { continue }
            // diskstats counts 512-byte sectors whatever the device's sector size.
            out[name] = (read &+ written) &* 512
        }
        return out
    }

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
        (try? String(contentsOfFile: path, encoding: .utf8)).map { disk(procDiskstats: $0) }
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
