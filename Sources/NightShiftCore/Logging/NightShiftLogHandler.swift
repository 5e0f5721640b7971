import Logging

/// A swift-log backend writing through a `NightShiftLog`, so core code can log with
/// `Logging.Logger` and still land in the stamped console/file log.
///
/// `LoggingSystem.bootstrap { NightShiftLogHandler(label: $0, log: log) }` in the CLI.
/// swift-log has no file sink of its own; the sink is `NightShiftLog`.
public struct NightShiftLogHandler: LogHandler {
    /// The logger's label, shown in front of the message unless it is "nightshift".
    public let label: String
    /// Where lines go.
    public let log: NightShiftLog
    /// Metadata appended to every line as `key=value`.
    public var metadata: Logger.Metadata = [:]
    /// The least severe level passed on; NightShiftLog still drops debug unless enabled.
    public var logLevel: Logger.Level = .trace
    /// An optional provider of contextual metadata.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for `label` writing to `log`.
    public init(label: String, log: NightShiftLog) {
        self.label = label
        self.log = log
    }

    /// Gets or sets one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one event.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var text = label == "nightshift" ? "" : "\(label): "
        text += event.message.description
        if !merged.isEmpty {
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        log.log(Self.level(event.level), text)
    }

    /// Maps swift-log's seven levels onto NightShift's four.
    static func level(_ level: Logger.Level) -> LogLevel {
        switch level {
        case .trace, .debug: return .debug
        case .info, .notice: return .info
        case .warning: return .warn
        case .error, .critical: return .error
        }
    }
}
