import Foundation

/// The presence table `status` and `check --explain` print: one 24-column hour strip per host.
public enum PresenceReport {
    /// The heading, the column header and one row per host of `names` that has presence
    /// recorded in the four weeks up to `now`; empty when none has.
    public static func lines(_ hosts: [String: HostState], names: [String], now: Double,
                             timeZone: ZoneRules = .local) -> [String] {
        let rows = names.compactMap { name -> [String]? in
            guard let presence = hosts[name]?.presence?.recent(asOf: now, timeZone: timeZone), !presence.isEmpty else { return nil }
            return [name, "[" + presence.strip + "]", "\(presence.entries.count)", usualHours(presence)]
        }
        guard !rows.isEmpty else { return [] }
        // The strip's `[` is column 0, so hour h sits in column h + 1 under its label.
        let ruler = " 0     6     12    18"
        return ["Presence over the last \(HostPresence.days) days (local hours; # usually up, + sometimes, . never, blank: not swept):"]
            + TextTable.render(header: ["HOST", ruler, "DAYS", "USUALLY UP"], rows: rows)
    }

    /// The hours the host is usually up, as ranges: "08:00-23:00", "all day", "never".
    public static func usualHours(_ presence: HostPresence) -> String {
        let on = presence.hourly().map(\.usuallyUp)
        if on.allSatisfy({ $0 }) { return "all day" }
        guard on.contains(true) else { return "never" }
        // Start at an hour that is off, so a range across midnight comes out whole.
        let first = on.firstIndex(of: false)!
        var ranges: [String] = []
        var start: Int?
        for step in 1...24 {
            let hour = (first + step) % 24
            if on[hour], start == nil { start = hour }
            if !on[hour], let s = start {
                ranges.append("\(clock(s))-\(clock(hour))")
                start = nil
            }
        }
        return ranges.joined(separator: ", ")
    }

    private static func clock(_ hour: Int) -> String { hour < 10 ? "0\(hour):00" : "\(hour):00" }
}
