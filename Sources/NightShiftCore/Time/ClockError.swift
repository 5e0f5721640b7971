import Foundation

/// Why the local clock was not stepped (no permission, an absurd offset): an expected failure.
public enum ClockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This process may not set the clock.
    case missingCapability
    /// The offset is not a finite number or is absurdly large.
    case invalidOffset(Double)
    /// The system call failed for another reason.
    case systemCallFailed(operation: String, reason: String)

    /// The text an administrator sees (log line, error message).
    public var description: String {
        switch self {
        case .missingCapability:
            return "cannot step the clock: this process lacks CAP_SYS_TIME (run as root or grant the capability)"
        case let .invalidOffset(value):
            return "cannot step the clock by \(value) s: not a finite offset within 100 years"
        case let .systemCallFailed(operation, reason):
            return "cannot step the clock: \(operation): \(reason)"
        }
    }
}

extension ClockError: LocalizedError {
    /// The same text as `description`, so `localizedDescription` is readable too.
    public var errorDescription: String? { description }
}
