import Foundation

/// Byte counters from /proc (network interfaces, block devices), sampled twice for a rate:
/// the traffic and disk busy checks.
///
/// Hand-written: two small /proc text formats; no Swift library reads them. The parsers are
/// here; reading /proc and /sys is Core's (`ActivityCounters+Proc`).
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
    public static func disk(procDiskstats text: String, isWholeDisk: (String) -> Bool) -> [String: UInt64] {
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
}
