import Glibc
import NightShiftBase

/// The clock and /proc reads among the small system helpers (the pure ones live in NightShiftBase).
extension NetSys {
    /// CLOCK_MONOTONIC in seconds: for deadlines, immune to clock steps.
    static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// CLOCK_REALTIME in seconds since 1970: the clock kernel receive timestamps use.
    static func realtime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// The first line of a small /proc file (its size reads as 0, so length-based readers fail).
    static func readSmallFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        return string(fromCBuffer: buffer).split(separator: "\n").first.map(String.init) ?? ""
    }
}
