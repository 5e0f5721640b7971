import Foundation

/// What NUT's `upsc NAME@HOST` says about a UPS: its `ups.status` flags and battery charge.
///
/// upsc prints one `variable: value` line per variable; only the few a gate needs are kept.
public struct UPSStatus: Equatable, Sendable {
    /// The `ups.status` words (`OL`, `OB`, `LB`, `CHRG`, ...), in their order.
    public var flags: [String]
    /// `battery.charge` in percent, when the driver reports it.
    public var charge: Double?
    /// `battery.runtime` in seconds, when the driver reports it.
    public var runtime: Double?

    /// True on battery (`OB`).
    public var onBattery: Bool { flags.contains("OB") }
    /// True when the battery is low (`LB`).
    public var lowBattery: Bool { flags.contains("LB") }

    /// Parses upsc's output; nil when it carries no `ups.status` (then nobody can tell).
    public static func parse(_ text: String) -> UPSStatus? {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            values[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let status = values["ups.status"], !status.isEmpty else { return nil }
        return UPSStatus(flags: status.split(separator: " ").map(String.init),
                         charge: values["battery.charge"].flatMap { Double($0) },
                         runtime: values["battery.runtime"].flatMap { Double($0) })
    }
}
