/// One network sweep: when it ran and which hosts answered (`true`) or not (`false`).
///
/// A host missing from `up` was not probed in that sweep; the trigger treats it as not offline.
public struct SweepRecord: Codable, Equatable, Sendable {
    /// When the sweep ran, seconds since the epoch.
    public var time: Double
    /// Host name to up (`true`) or down (`false`).
    public var up: [String: Bool]

    /// Creates a sweep record.
    public init(time: Double, up: [String: Bool]) {
        self.time = time
        self.up = up
    }

    private enum CodingKeys: String, CodingKey {
        case time
        case up
    }
}
