import Foundation

/// Why an SNTP query gave no usable time: expected failures (no answer, a bad reply), not bugs.
public enum SNTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server name did not resolve.
    case unresolvable(server: String, reason: String)
    /// No valid answer arrived in time.
    case timeout(server: String, seconds: Double)
    /// The server (or a router) refused: ICMP port or host unreachable.
    case unreachable(server: String, reason: String)
    /// The answer failed validation (mode, version, originate timestamp, zero timestamps).
    case invalidReply(server: String, reason: String)
    /// Stratum 0: a kiss-o'-death message such as RATE or DENY (RFC 5905 section 7.4).
    case kissOfDeath(server: String, code: String)
    /// Leap indicator 3: the server's clock is not synchronised.
    case unsynchronized(server: String)
    /// The answer is not a time this build can believe (before its date, or only after the
    /// 2036 era wrap): a clock that was never set.
    case implausible(server: String, reason: String)
    /// An argument was out of range.
    case invalidOption(String)
    /// A socket call failed.
    case socketFailure(server: String, reason: String)

    /// The text an administrator sees (log line, error message).
    public var description: String {
        switch self {
        case let .unresolvable(server, reason): return "NTP server \"\(server)\": \(reason)"
        case let .timeout(server, seconds): return "no answer from NTP server \(server) within \(DurationText.plain(seconds)) s"
        case let .unreachable(server, reason): return "NTP server \(server) unreachable: \(reason)"
        case let .invalidReply(server, reason): return "invalid answer from NTP server \(server): \(reason)"
        case let .kissOfDeath(server, code): return "NTP server \(server) sent kiss-o'-death \"\(code)\""
        case let .unsynchronized(server): return "NTP server \(server) is not synchronised (leap indicator 3)"
        case let .implausible(server, reason): return "refused the time of NTP server \(server): \(reason)"
        case let .invalidOption(text): return text
        case let .socketFailure(server, reason): return "NTP query to \(server) failed: \(reason)"
        }
    }
}

extension SNTPError: LocalizedError {
    /// The same text as `description`, so `localizedDescription` is readable too.
    public var errorDescription: String? { description }
}
