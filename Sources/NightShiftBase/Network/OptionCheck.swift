/// An option value out of range, named by the field a script author wrote.
public struct OptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The option's name as the Lua API spells it (`interval`, `probe_timeout`, `repeat`).
    public var field: String
    /// What the value must be, e.g. "must be more than 0".
    public var requirement: String

    /// Creates the error.
    public init(field: String, requirement: String) {
        self.field = field
        self.requirement = requirement
    }

    /// `field 'interval' must be more than 0`: the text inside Lua's "bad argument" message.
    public var description: String { "field '\(field)' \(requirement)" }
}

/// The range checks every network and time primitive shares, so `ns.ping`, `ns.wait_up`,
/// `ns.time.query`, `ns.wake` and the CLI tools agree on what a valid duration, port or
/// count is (and a zero, NaN or astronomically long wait can never reach a poll loop).
public enum OptionCheck {
    /// Longest duration any option accepts: the one a duration text may say (10 years), so
    /// a value `check` passes is never refused by the primitive that gets it.
    public static let maxSeconds: Double = DurationText.maximum

    /// What a duration that is zero or less is told.
    public static let positiveRequirement = "must be more than 0 seconds"

    /// A duration in seconds: finite, more than 0, at most 10 years.
    public static func seconds(_ value: Double, field: String) throws(OptionError) -> Double {
        guard !value.isNaN else { throw OptionError(field: field, requirement: "must be a number of seconds, not NaN") }
        guard value > 0 else { throw OptionError(field: field, requirement: positiveRequirement) }
        guard value <= maxSeconds else {
            throw OptionError(field: field, requirement: "must be at most \(Int(maxSeconds)) seconds (10 years)")
        }
        return value
    }

    /// A process's time limit (a job's `timeout`, `ns.exec`'s): a duration as `seconds` checks
    /// it. Zero would kill the program at once; the message says how to ask for no limit.
    public static func timeout(_ value: Double, field: String) throws(OptionError) -> Double {
        do { return try seconds(value, field: field) } catch where error.requirement == positiveRequirement {
            throw OptionError(field: field, requirement: positiveRequirement + " (leave \(field) out for no limit)")
        }
    }

    /// What a port must be, for a value that is not even a whole number.
    public static let portRequirement = "must be a port number (1-65535)"
    /// Magic packets per MAC address (`ns.wake`'s `repeat`, `settings.wake_repeat`).
    public static let wakeRepeats: ClosedRange<Int64> = 1...100
    /// Extra probes after the first (`retries`, `settings.ping_retries`).
    public static let probeRetries: ClosedRange<Int64> = 0...100

    /// A TCP/UDP port, 1-65535.
    public static func port(_ value: Int64, field: String) throws(OptionError) -> UInt16 {
        guard value >= 1, value <= 65535 else {
            throw OptionError(field: field, requirement: portRequirement)
        }
        return UInt16(value)
    }

    /// What a count within `range` must be.
    public static func countRequirement(_ range: ClosedRange<Int64>) -> String {
        "must be between \(range.lowerBound) and \(range.upperBound)"
    }

    /// An integer count within `range` (`probeRetries`, `wakeRepeats`).
    public static func count(_ value: Int64, field: String, in range: ClosedRange<Int64>) throws(OptionError) -> Int {
        guard range.contains(value) else { throw OptionError(field: field, requirement: countRequirement(range)) }
        return Int(value)
    }

    /// Text that reaches a system call (address, device, server name): a NUL byte would cut
    /// it short there, so "10.0.0.1\0junk" would silently mean 10.0.0.1.
    public static func noNUL(_ text: String, field: String) throws(OptionError) -> String {
        guard !text.utf8.contains(0) else { throw OptionError(field: field, requirement: "must not contain a NUL byte") }
        return text
    }
}
