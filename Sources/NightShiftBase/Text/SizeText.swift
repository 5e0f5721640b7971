/// A size text that could not be read, with the message a script author sees.
public struct SizeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `invalid size "5x" (use e.g. "512MiB", "1GiB", "64MB")`.
    public let message: String

    /// Creates an error with the given message.
    public init(message: String) { self.message = message }

    /// The message, so `"\(error)"` reads well in logs and error messages.
    public var description: String { message }
}

/// Reads memory sizes the way admins write them (the `lua_memory` setting).
///
/// Accepted: a number of bytes (`"67108864"`, or a plain number), or a number and a unit,
/// optionally separated by a space: binary `KiB`, `MiB`, `GiB`, `TiB` or decimal `B`, `kB`,
/// `MB`, `GB`, `TB` (units ignore case). The result must lie in `range`.
public enum SizeText {
    /// The sizes `lua_memory` accepts: 1 MiB through 64 GiB.
    public static let range: ClosedRange<Int64> = (1 << 20)...(64 << 30)

    private static let hint = #"(use e.g. "512MiB", "1GiB", "64MB")"#

    private static let units: [String: Double] = [
        "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
        "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
    ]

    /// Parses `text` into bytes; throws a ``SizeError`` quoting the text.
    public static func parse(_ text: String, in range: ClosedRange<Int64> = SizeText.range) throws -> Int64 {
        let trimmed = text.trimmingSpaces()
        let digitEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = trimmed[..<digitEnd]
        let unit = trimmed[digitEnd...].trimmingSpaces().lowercased()
        guard number.contains(where: \.isNumber), number.filter({ $0 == "." }).count <= 1, let value = Double(number),
            let scale = unit.isEmpty ? 1 : units[unit]
        else {
            throw SizeError(message: "invalid size \"\(text)\" \(hint)")
        }
        return try check(value * scale, range: range) { "invalid size \"\(text)\" (\($0))" }
    }

    /// Checks a number of bytes given directly (not as text); returns it or throws.
    public static func validate(bytes: Double, in range: ClosedRange<Int64> = SizeText.range) throws -> Int64 {
        try check(bytes, range: range) { "invalid size \(format(bytes)) (\($0))" }
    }

    /// "512 MiB", "1 GiB", "1.5 GiB", "1000 bytes".
    public static func describe(_ bytes: Int64) -> String {
        for (name, size) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= size {
            if bytes % size == 0 { return "\(bytes / size) \(name)" }
            return "\(format((Double(bytes) / Double(size) * 10).rounded() / 10)) \(name)"
        }
        return "\(bytes) bytes"
    }

    private static func check(_ bytes: Double, range: ClosedRange<Int64>, message: (String) -> String) throws -> Int64 {
        guard bytes.isFinite else { throw SizeError(message: message("must be a finite number of bytes")) }
        guard bytes >= Double(range.lowerBound) else { throw SizeError(message: message("at least \(describe(range.lowerBound))")) }
        guard bytes <= Double(range.upperBound) else { throw SizeError(message: message("at most \(describe(range.upperBound))")) }
        // In range, so the conversion cannot trap; fractional bytes round down.
        return Int64(bytes.rounded(.down))
    }

    private static func format(_ d: Double) -> String {
        d.isFinite && d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
