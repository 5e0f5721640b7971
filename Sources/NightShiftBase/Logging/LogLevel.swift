/// How serious a log line is; `debug` lines appear only when debug is on.
public enum LogLevel: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// Tracing for `--debug`.
    case debug
    /// Normal progress.
    case info
    /// Something unexpected that NightShift worked around.
    case warn
    /// Something failed.
    case error

    /// The fixed-width tag written after the stamp.
    package var tag: String {
        switch self {
        case .debug: return "DEBUG"
        case .info: return "INFO "
        case .warn: return "WARN "
        case .error: return "ERROR"
        }
    }

    /// Orders levels by severity.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where a log line goes.
public struct LogTargets: OptionSet, Sendable, Hashable {
    /// The raw bits.
    public let rawValue: UInt8
    /// Creates targets from raw bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The console (standard output).
    public static let console = LogTargets(rawValue: 1)
    /// The log file.
    public static let file = LogTargets(rawValue: 2)
    /// Both.
    public static let both: LogTargets = [.console, .file]
}
