import Foundation

/// When tonight's backup is likely to start, from the hours the watched hosts were seen up
/// (``HostPresence``): what `check --explain` and `status SCRIPT` tell an admin who wonders
/// why backups run late.
///
/// An estimate, not the trigger: the trigger decides on real sweeps. It reads the hours from
/// the scan start on (now, or the end of `min_interval`) for 24 hours; a host is "usually on"
/// in an hour when it answered a sweep in that hour on at least half the days swept then.
/// Working days and weekend days are told apart once three days of the same kind were swept
/// in that hour.
public struct PresenceForecast: Equatable, Sendable {
    /// What the trigger's settings add to the hours.
    public struct Rules: Equatable, Sendable {
        /// The force window, if any, and the opening of the occurrence last used up (epoch).
        public var window: TimeWindow?
        public var windowUsed: Double?
        /// No automatic night before this instant (`min_interval` after the last good one).
        public var notBefore: Double?
        /// `offline_sweeps` and `check_every` (seconds): a streak of offline sweeps takes time.
        public var offlineSweeps: Int
        public var checkEvery: Double

        /// Creates the rules.
        public init(window: TimeWindow? = nil, windowUsed: Double? = nil, notBefore: Double? = nil,
                    offlineSweeps: Int = 1, checkEvery: Double = 3_600) {
            self.window = window
            self.windowUsed = windowUsed
            self.notBefore = notBefore
            self.offlineSweeps = offlineSweeps
            self.checkEvery = checkEvery
        }
    }

    /// One watched host's evening.
    public struct Host: Equatable, Sendable {
        /// The host name.
        public var name: String
        /// Days with presence recorded.
        public var days: Int
        /// The first hour (its start, epoch) from the scan start in which the host is not usually
        /// on; nil when it is usually on for all 24 hours or nothing was recorded.
        public var offFrom: Double?
        /// The sentence `check --explain` prints.
        public var text: String
    }

    /// Per watched host, in the order given.
    public var hosts: [Host]
    /// When the backup likely starts (epoch); nil when nothing starts it within the next day.
    public var likelyStart: Double?
    /// Whether the force window is what starts it.
    public var byWindow: Bool
    /// The closing sentence.
    public var summary: String

    /// The lines to print: one per host, then the summary.
    public var lines: [String] { hosts.map(\.text) + [summary] }

    /// The forecast for `watched` (names in order) from `presence`, as of `now`.
    public init(watched: [String], presence: [String: HostPresence], rules: Rules, now: Double,
                timeZone: ZoneRules = .local) {
        let clock = WallClockText(timeZone: timeZone)
        let from = max(now, rules.notBefore ?? now)
        // Hour starts are worked out in absolute seconds: a DST night simply has one local
        // hour twice or not at all, and each instant reads its own local hour.
        let offset = Double(timeZone.utcOffset(at: from))
        let hourStart = ((from + offset) / 3_600).rounded(.down) * 3_600 - offset
        let instants = [from] + (1..<24).map { hourStart + Double($0) * 3_600 }
        func when(_ t: Double) -> String {
            let text = clock.time(t)
            let days = CivilDay.local(t, timeZone: timeZone).day - CivilDay.local(now, timeZone: timeZone).day
            return days == 0 ? text : days == 1 ? "\(text) tomorrow" : "\(clock.dateTime(t))"
        }

        var hosts: [Host] = []
        var known: [[Bool?]] = []
        for name in watched {
            guard let record = presence[name]?.recent(asOf: now, timeZone: timeZone), !record.isEmpty else {
                hosts.append(Host(name: name, days: 0, offFrom: nil,
                                  text: "\(name): no presence recorded yet (each sweep records it)"))
                continue
            }
            let usually = instants.map { Self.usuallyOn(record, at: $0, timeZone: timeZone) }
            known.append(usually)
            let days = record.entries.count
            let data = days < 3 ? " (\(days) day\(days == 1 ? "" : "s") of data)" : ""
            let off = usually.firstIndex { $0 != true }
            let text: String
            switch off {
            case 0?:
                let hours = PresenceReport.usualHours(record)
                text = "\(name) is usually off at \(clock.time(from))" + (hours == "never" ? "" : " (usually up \(hours))") + data
            case let k?:
                let unswept = usually[k] == nil ? " at least (no sweep at that hour yet)" : ""
                text = "\(name) is usually on until \(when(instants[k]))\(unswept)\(data)"
            case nil: text = "\(name) is usually on around the clock\(data)"
            }
            hosts.append(Host(name: name, days: days, offFrom: off.map { instants[$0] }, text: text))
        }
        self.hosts = hosts

        let windowStart = rules.window.map { w -> Double in
            let at = Date(timeIntervalSince1970: from)
            if let open = w.windowStart(containing: at, in: timeZone)?.timeIntervalSince1970,
               !(rules.windowUsed.map { $0 >= open } ?? false) { return from }
            return w.nextStart(after: at, in: timeZone).timeIntervalSince1970
        }
        // With no watched host the trigger fires at once, without a streak of offline sweeps.
        let allOff = watched.isEmpty ? 0 : known.isEmpty ? nil : instants.indices.first { k in known.allSatisfy { $0[k] != true } }
        let streak = watched.isEmpty ? 0 : Double(max(1, rules.offlineSweeps) - 1) * rules.checkEvery
        var start = allOff.map { instants[$0] + streak }
        var byWindow = false
        if let w = windowStart, start.map({ $0 > w }) ?? true {
            start = w
            byWindow = true
        }
        likelyStart = start
        self.byWindow = byWindow

        let waited = rules.notBefore.map { $0 > now ? "; min_interval: not before \(when($0))" : "" } ?? ""
        let windowText = rules.window.map { "the force window \($0)" } ?? ""
        if watched.isEmpty {
            summary = "Tonight: no watched hosts, so the backup starts at the next check\(waited)"
        } else if known.isEmpty {
            summary = "Tonight: no presence recorded yet; the backup starts at the first check that finds the watched hosts offline"
                + (windowStart.map { ", at the latest when \(windowText) opens at \(when($0))" } ?? "") + waited
        } else if let start, byWindow {
            let on = allOff.map { "usually on until \(when(instants[$0]))" } ?? "usually on all night"
            summary = start <= from
                ? "Tonight: inside \(windowText) and not yet backed up in it: the next check starts the backup\(waited)"
                : "Tonight: the watched hosts are \(on), so \(windowText) starts the backup at \(when(start))\(waited)"
        } else if let start, let k = allOff {
            let later = streak > 0 ? " and \(rules.offlineSweeps) sweeps in a row found them offline (offline_sweeps)" : ""
            summary = k == 0 && streak == 0
                ? "Tonight: the watched hosts are usually off at this hour: the next check likely starts the backup\(waited)"
                : "Tonight: the backup likely starts after \(when(start)), once the watched hosts are usually off\(later)\(waited)"
        } else {
            summary = "Tonight: the watched hosts are usually on all day and there is no force window: no backup is likely\(waited)"
        }
    }

    /// Whether `record` says the host is usually on in the local hour of `t`; nil when no
    /// sweep of that hour could tell. Working days and weekends apart once 3 days of the kind exist.
    static func usuallyOn(_ record: HostPresence, at t: Double, timeZone: ZoneRules) -> Bool? {
        let (day, hour) = CivilDay.local(t, timeZone: timeZone)
        let weekday = CivilDay.weekday(day)
        let kind: Set<Int> = weekday == 0 || weekday == 6 ? [0, 6] : [1, 2, 3, 4, 5]
        let same = record.hourly(weekdays: kind)[hour]
        let count = same.swept >= 3 ? same : record.hourly()[hour]
        return count.swept == 0 ? nil : count.usuallyUp
    }
}
