#if canImport(Glibc)
import Glibc
#endif

/// Formats the original program's stamp, `[YYYY-MM-DD @ HH:MM:SS]`, in local time.
///
/// Hand-written with `localtime_r` rather than a DateFormatter: it runs for
/// every batch of child output, is cached per second by the logger, and needs
/// no Foundation locale machinery to produce fixed-width digits.
public enum LogStamp {
    /// The stamp for `epochSeconds` (default: now), e.g. `[2026-11-26 @ 15:04:05]`.
    public static func format(_ epochSeconds: Int = Int(time(nil))) -> String {
        String(decoding: bytes(epochSeconds), as: UTF8.self)
    }

    /// The stamp as UTF-8 bytes.
    static func bytes(_ epochSeconds: Int) -> [UInt8] {
        var seconds = time_t(epochSeconds)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(23)
        func digits(_ value: Int32, _ width: Int) {
            var text = Array(String(value).utf8)
            while text.count < width { text.insert(0x30, at: 0) }
            out.append(contentsOf: text)
        }
        out.append(UInt8(ascii: "["))
        digits(parts.tm_year + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        out.append(contentsOf: Array(" @ ".utf8))
        digits(parts.tm_hour, 2)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        out.append(UInt8(ascii: "]"))
        return out
    }
}
