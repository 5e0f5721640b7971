import Foundation

/// One local calendar day of a host's presence: per hour of the day, whether a sweep saw it up.
///
/// `hours` holds 24 characters, one per local hour: `#` answered at least one sweep in that
/// hour, `.` was swept and never answered, `-` no sweep could tell (none ran, or the probe
/// was unknown). Readable in `state.json` as it is.
public struct PresenceDay: Codable, Equatable, Sendable {
    /// The local date, `YYYY-MM-DD`.
    public let day: String
    /// 24 characters of `#`, `.` and `-`.
    public private(set) var hours: String
    /// Days since 1970-01-01 of `day` (the proleptic Gregorian calendar), for roll-off.
    let number: Int

    static let up: Character = "#"
    static let down: Character = "."
    static let unswept: Character = "-"

    /// An empty day (nothing swept yet) for the date `number` days after 1970-01-01.
    init(number: Int) {
        self.number = number
        self.day = CivilDay.text(number)
        self.hours = String(repeating: Self.unswept, count: 24)
    }

    private enum CodingKeys: String, CodingKey { case day, hours }

    /// Decodes a day, refusing a date that does not parse or hours that are not 24 of `#.-`:
    /// ``HostPresence`` drops such an entry rather than failing the whole state.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let day = try c.decode(String.self, forKey: .day)
        let hours = try c.decode(String.self, forKey: .hours)
        guard let number = CivilDay.number(day) else {
            throw DecodingError.dataCorruptedError(forKey: .day, in: c, debugDescription: "not a YYYY-MM-DD date")
        }
        guard hours.count == 24, hours.allSatisfy({ $0 == Self.up || $0 == Self.down || $0 == Self.unswept }) else {
            throw DecodingError.dataCorruptedError(forKey: .hours, in: c, debugDescription: "not 24 of #.-")
        }
        self.day = day
        self.hours = hours
        self.number = number
    }

    /// Encodes `day` and `hours`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(day, forKey: .day)
        try c.encode(hours, forKey: .hours)
    }

    /// What was recorded for `hour` (0-23): true up, false down, nil not swept.
    public func seen(at hour: Int) -> Bool? {
        guard (0..<24).contains(hour) else { return nil }
        switch hours[hours.index(hours.startIndex, offsetBy: hour)] {
        case Self.up: return true
        case Self.down: return false
        default: return nil
        }
    }

    /// Records one sweep in `hour`: up wins over down, which wins over not swept.
    mutating func record(up: Bool, hour: Int) {
        guard (0..<24).contains(hour) else { return }
        let i = hours.index(hours.startIndex, offsetBy: hour)
        let old = hours[i]
        guard up ? old != Self.up : old == Self.unswept else { return }
        hours.replaceSubrange(i...i, with: String(up ? Self.up : Self.down))
    }

    /// This day with `other`'s observations added (two entries for one date in a hand-edited file).
    func merged(with other: PresenceDay) -> PresenceDay {
        var out = self
        for hour in 0..<24 { if let up = other.seen(at: hour) { out.record(up: up, hour: hour) } }
        return out
    }

    /// Sunday 0 ... Saturday 6.
    var weekday: Int { CivilDay.weekday(number) }
}

/// The hours a host was seen up over the last ``HostPresence/days`` local days
/// (BackupPC's blackout periods, learnt and shown rather than configured).
///
/// Bounded: at most `days` entries of 24 hours each; a new day pushes the oldest out. Days later
/// than tomorrow (written by a clock that was ahead) are dropped at the next record, so a clock
/// that jumps ahead and back costs one bogus day, not the history; a sweep time before 2020
/// (a clock that was never set) is not recorded at all. What is shown counts only the days of
/// the last four weeks (``recent(asOf:timeZone:)``), so a NAS that was off for a month shows
/// no stale hours.
public struct HostPresence: Codable, Equatable, Sendable {
    /// How many local days are kept.
    public static let days = 28
    /// Sweeps before 2020-01-01 come from a clock that was never set (an RTC reset to 1970/2000).
    static let earliestPlausible = 1_577_836_800.0

    /// Oldest day first, one entry per date.
    public private(set) var entries: [PresenceDay]

    /// An empty record.
    public init() { entries = [] }

    /// Decodes the array of days; entries that do not parse are dropped, two entries for one
    /// date are merged, and only the newest `days` are kept: a hand-edited or damaged field
    /// costs at most its own history, never the state.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([Lossy].self).compactMap(\.day)
        var byNumber: [Int: PresenceDay] = [:]
        for day in raw { byNumber[day.number] = byNumber[day.number].map { $0.merged(with: day) } ?? day }
        entries = Array(byNumber.values.sorted { $0.number < $1.number }.suffix(Self.days))
    }

    /// Encodes the days as an array, oldest first.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(entries)
    }

    private struct Lossy: Decodable {
        let day: PresenceDay?
        init(from decoder: any Decoder) { day = try? PresenceDay(from: decoder) }
    }

    /// Whether nothing was recorded.
    public var isEmpty: Bool { entries.isEmpty }

    /// Records a sweep at `time` that found the host up or down, in the local hour of `timeZone`.
    /// Returns false when `time` is not plausible (not recorded).
    @discardableResult
    public mutating func record(up: Bool, at time: Double, timeZone: ZoneRules = .local) -> Bool {
        guard time.isFinite, time >= Self.earliestPlausible, time < 1e11 else { return false }
        let (today, hour) = CivilDay.local(time, timeZone: timeZone)
        entries.removeAll { $0.number > today + 1 }
        if let i = entries.firstIndex(where: { $0.number == today }) {
            entries[i].record(up: up, hour: hour)
        } else {
            var day = PresenceDay(number: today)
            day.record(up: up, hour: hour)
            entries.append(day)
            entries.sort { $0.number < $1.number }
            if entries.count > Self.days { entries.removeFirst(entries.count - Self.days) }
        }
        return true
    }

    /// Only the days of the four weeks up to `now` (and tomorrow, for a clock slightly behind).
    public func recent(asOf now: Double, timeZone: ZoneRules = .local) -> HostPresence {
        guard now.isFinite, abs(now) < 1e11 else { return self }
        let today = CivilDay.local(now, timeZone: timeZone).day
        var out = self
        out.entries.removeAll { $0.number > today + 1 || $0.number <= today - Self.days }
        return out
    }

    /// Per local hour, on how many days the host was seen up and on how many it was swept;
    /// `weekdays` (0 Sunday ... 6 Saturday) keeps only those days.
    public func hourly(weekdays: Set<Int>? = nil) -> [HourCount] {
        var counts = [HourCount](repeating: HourCount(up: 0, swept: 0), count: 24)
        for day in entries where weekdays.map({ $0.contains(day.weekday) }) ?? true {
            for hour in 0..<24 {
                guard let up = day.seen(at: hour) else { continue }
                counts[hour].swept += 1
                if up { counts[hour].up += 1 }
            }
        }
        return counts
    }

    /// The 24-character strip `status` shows: `#` up on at least half the days swept in that
    /// hour, `+` up on some, `.` never up, blank never swept.
    public var strip: String {
        String(hourly().map(\.symbol))
    }
}

/// Sweeps of one local hour over the recorded days.
public struct HourCount: Equatable, Sendable {
    /// Days on which the host answered a sweep in this hour.
    public var up: Int
    /// Days on which a sweep in this hour could tell up from down.
    public var swept: Int

    /// Up on at least half the days that were swept in this hour.
    public var usuallyUp: Bool { swept > 0 && up * 2 >= swept }

    /// The strip character: `#` usually up, `+` sometimes, `.` never, blank not swept.
    var symbol: Character {
        if swept == 0 { return " " }
        if usuallyUp { return "#" }
        return up > 0 ? "+" : "."
    }
}

/// Local calendar days as plain day numbers (days since 1970-01-01), without Calendar in the
/// arithmetic: roll-off and weekdays must not depend on DST or the locale.
enum CivilDay {
    /// The local day number and hour of `epoch` in `timeZone`.
    static func local(_ epoch: Double, timeZone: ZoneRules) -> (day: Int, hour: Int) {
        // Callers pass plausible times; a hand-edited absurd one must not trap the conversion.
        let (day, second) = timeZone.localDay(at: ZoneRules.seconds(epoch))
        return (day, second / 3_600)
    }

    /// Sunday 0 ... Saturday 6 of day `n` (1970-01-01 was a Thursday).
    static func weekday(_ n: Int) -> Int { CivilCalendar.weekday(n) }

    /// `YYYY-MM-DD` of day `n`.
    static func text(_ n: Int) -> String {
        let (y, m, d) = CivilCalendar.date(n)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// The day number of `YYYY-MM-DD`, nil when it is not a real date (days_from_civil).
    static func number(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y0 = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let n = CivilCalendar.days(year: y0, month: m, day: d)
        // 2025-02-30 would land on March 2nd: only a date that prints back the same is real.
        return Self.text(n) == text ? n : nil
    }
}
