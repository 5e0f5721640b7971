/// Byte counts as people read them in reports: `512 B`, `1.2 MiB`, `3.4 GiB`.
public enum ByteCountText {
    /// `bytes` in the largest binary unit that keeps the number at 1 or more, one decimal.
    public static func human(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        // 1023.96 KiB would print as "1024.0 KiB": the next unit reads better.
        if (value * 10).rounded() >= 10240, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
