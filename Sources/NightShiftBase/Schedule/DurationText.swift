/// A duration text that could not be read, with the message a script author sees.
public struct DurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `invalid duration "5x" (use e.g. "90s", "5m", "1h")`.
    public let message: String

    /// Creates an error with the given message.
    public init(message: String) { self.message = message }

    /// The message, so `"\(error)"` reads well in logs and error messages.
    public var description: String { message }
}

/// Reads and writes durations the way script authors and admins write them.
///
/// Accepted: plain seconds (`"90"`, `"1.5"`) or unit parts in descending order,
/// optionally separated by spaces (`"90s"`, `"5m"`, `"1h30m"`, `"1h 05m"`, `"2d"`).
public enum DurationText {
    private static let hint = #"(use e.g. "90s", "5m", "1h")"#

    /// The longest duration a script may give: 10 years (of 365.25 days). Anything longer is a
    /// typo, and seconds beyond ~9.2e18 would trap wherever they become an integer.
    public static let maximum: Double = 10 * 365.25 * 86_400
    private static let tooLong = "(at most 10 years)"

    /// Parses `text` into seconds; throws a ``DurationError`` quoting the text.
    public static func parse(_ text: String) throws -> Double {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func skipSpaces() {
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        }
        func fail(_ detail: String = hint) -> DurationError {
            DurationError(message: "invalid duration \"\(text)\" \(detail)")
        }

        skipSpaces()
        if index < scalars.count, scalars[index] == "-" {
            throw fail("(must not be negative)")
        }
        var total = 0.0
        var parts = 0
        // Units must come largest first and at most once, so "1m1h" is a typo, not 61 minutes.
        var lastRank = Int.max
        var sawPlainNumber = false
        while true {
            skipSpaces()
            if index == scalars.count { break }
            guard !sawPlainNumber else { throw fail() }
            let start = index
            var digits = 0
            var sawDot = false
            while index < scalars.count {
                let c = scalars[index]
                if c >= "0" && c <= "9" {
                    digits += 1
                } else if c == ".", !sawDot {
                    sawDot = true
                } else {
                    break
                }
                index += 1
            }
            guard digits > 0, let value = Double(String(String.UnicodeScalarView(scalars[start..<index]))) else {
                throw fail()
            }
            let unit: (rank: Int, seconds: Double)?
            if index < scalars.count {
                switch scalars[index] {
                case "d": unit = (4, 86_400)
                case "h": unit = (3, 3_600)
                case "m": unit = (2, 60)
                case "s": unit = (1, 1)
                case " ", "\t": unit = nil
                default: throw fail()
                }
            } else {
                unit = nil
            }
            if let unit {
                guard unit.rank < lastRank else { throw fail() }
                lastRank = unit.rank
                index += 1
                total += value * unit.seconds
            } else {
                // A bare number is only valid as the whole text ("90"), not inside "1h 30".
                guard parts == 0 else { throw fail() }
                sawPlainNumber = true
                total += value
            }
            parts += 1
        }
        guard parts > 0 else { throw fail() }
        guard total.isFinite, total <= maximum else { throw fail(tooLong) }
        return total
    }

    /// Checks a number of seconds given directly (not as text); returns it or throws.
    public static func validate(seconds: Double) throws -> Double {
        guard seconds.isFinite, seconds >= 0 else {
            throw DurationError(message: "invalid duration \(seconds) (must be a non-negative number of seconds)")
        }
        guard seconds <= maximum else { throw DurationError(message: "invalid duration \(seconds) \(tooLong)") }
        return seconds
    }

    /// Formats seconds for people, two units at most: `"42s"`, `"5m 03s"`, `"1h 05m"`, `"2d 03h"`.
    public static func format(_ seconds: Double) -> String {
        // A stored or computed value may be anything; Int() of one past ~9.2e18 would trap.
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "?" }
        let sign = seconds < 0 ? "-" : ""
        let whole = Int((abs(seconds)).rounded())
        let days = whole / 86_400, hours = (whole % 86_400) / 3_600
        let minutes = (whole % 3_600) / 60, secs = whole % 60
        if days > 0 { return "\(sign)\(days)d \(pad(hours))h" }
        if hours > 0 { return "\(sign)\(hours)h \(pad(minutes))m" }
        if minutes > 0 { return "\(sign)\(minutes)m \(pad(secs))s" }
        return "\(sign)\(secs)s"
    }

    /// Plain seconds as messages print them: "5" for a whole number, "0.5" otherwise.
    public static func plain(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    /// Formats remaining seconds as a countdown clock `"HH:MM:SS"` (rounded up, never negative).
    public static func countdown(_ seconds: Double) -> String {
        // Rounding up means the clock shows 00:00:00 only when the time is really over.
        let whole = seconds.isFinite ? Int(min(max(0, seconds), 1e15).rounded(.up)) : 0
        return "\(pad(whole / 3_600)):\(pad((whole % 3_600) / 60)):\(pad(whole % 60))"
    }

    private static func pad(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
