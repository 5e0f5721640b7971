import Foundation

/// A window text that could not be read, with the message a script author sees.
public struct TimeWindowError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `invalid time window "25:00-01:00" (hour 25 is out of range 0-23)`.
    public let message: String

    /// Creates an error with the given message.
    public init(message: String) { self.message = message }

    /// The message, so `"\(error)"` reads well in logs and error messages.
    public var description: String { message }
}

/// A daily wall-clock window such as `"03:00-05:00"`, possibly spanning midnight (`"22:00-02:00"`).
///
/// The window is half-open: it contains its start and not its end. Times are local wall-clock
/// times in the time zone passed to each query, so the window follows DST changes; on the night
/// the clock falls back, both runs through a repeated hour belong to the same occurrence.
public struct TimeWindow: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Seconds after local midnight at which the window opens.
    public let startSecond: Int
    /// Seconds after local midnight at which the window closes.
    public let endSecond: Int

    /// Parses `"HH:MM-HH:MM"`, each side optionally with `:SS`; throws a ``TimeWindowError``.
    public init(parsing text: String) throws {
        func fail(_ detail: String) -> TimeWindowError {
            TimeWindowError(message: "invalid time window \"\(text)\" (\(detail))")
        }
        let sides = text.split(separator: "-", omittingEmptySubsequences: false)
        guard sides.count == 2 else { throw fail(#"use e.g. "03:00-05:00" or "22:00-02:00""#) }
        let start = try Self.secondOfDay(sides[0].trimmingCharacters(in: .whitespaces), fail: fail)
        let end = try Self.secondOfDay(sides[1].trimmingCharacters(in: .whitespaces), fail: fail)
        guard start != end else { throw fail("start and end are equal") }
        self.startSecond = start
        self.endSecond = end
    }

    /// Creates a window from seconds after local midnight (each 0..<86400, different).
    public init(startSecond: Int, endSecond: Int) throws {
        guard (0..<86_400).contains(startSecond), (0..<86_400).contains(endSecond), startSecond != endSecond else {
            throw TimeWindowError(message: "invalid time window \(startSecond)s-\(endSecond)s")
        }
        self.startSecond = startSecond
        self.endSecond = endSecond
    }

    /// Whether the window runs past midnight (its end is earlier in the day than its start).
    public var spansMidnight: Bool { endSecond < startSecond }

    /// The canonical text, `"03:00-05:00"`, with seconds only where they are not zero.
    public var description: String { "\(Self.clock(startSecond))-\(Self.clock(endSecond))" }

    /// Whether `date` falls inside an occurrence of the window.
    public func contains(_ date: Date, in zone: ZoneRules = .local) -> Bool {
        occurrence(containing: date, in: zone) != nil
    }

    /// The start instant of the occurrence containing `date`, or nil when `date` is outside.
    ///
    /// This is the key for "once per window" bookkeeping: every instant of one occurrence maps
    /// to the same start, e.g. 01:00 in `"22:00-02:00"` maps to 22:00 of the previous day.
    public func windowStart(containing date: Date, in zone: ZoneRules = .local) -> Date? {
        occurrence(containing: date, in: zone)?.lowerBound
    }

    /// The end instant of the occurrence containing `date`, or nil when `date` is outside.
    public func windowEnd(containing date: Date, in zone: ZoneRules = .local) -> Date? {
        occurrence(containing: date, in: zone)?.upperBound
    }

    /// The occurrence (opening ..< closing instant) that contains `date`.
    ///
    /// Worked out in instants, not wall-clock readings, so a DST night cannot make a window
    /// vanish: one whose times fall inside a spring-forward gap opens at the first real instant
    /// after the gap, and is open at least one minute even if its end fell into the gap too.
    public func occurrence(containing date: Date, in zone: ZoneRules = .local) -> Range<Date>? {
        let today = zone.localDay(at: ZoneRules.seconds(date.timeIntervalSince1970)).day
        for offset in [0, -1] {
            let range = occurrence(openingOn: today + offset, zone)
            if range.contains(date) { return range }
        }
        return nil
    }

    /// The occurrence that opens on local day number `day`.
    private func occurrence(openingOn day: Int, _ zone: ZoneRules) -> Range<Date> {
        let open = Self.instant(on: day, atSecond: startSecond, zone)
        var close = Self.instant(on: spansMidnight ? day + 1 : day, atSecond: endSecond, zone)
        if close <= open { close = open.addingTimeInterval(60) }
        return open..<close
    }

    /// The first window start strictly after `date`.
    public func nextStart(after date: Date, in zone: ZoneRules = .local) -> Date {
        var day = zone.localDay(at: ZoneRules.seconds(date.timeIntervalSince1970)).day
        // Two days always suffice; the third guards against a start that DST pushed backwards.
        for _ in 0..<3 {
            let candidate = Self.instant(on: day, atSecond: startSecond, zone)
            if candidate > date { return candidate }
            day += 1
        }
        return Self.instant(on: day, atSecond: startSecond, zone)
    }

    /// The instant of a local wall-clock time on a day: of a repeated time (fall back) the first
    /// of its two instants; of one inside a spring-forward gap, which does not exist, the first
    /// real instant after the gap (so "02:30" on a 02:00->03:00 night opens at 03:00, not 03:30).
    private static func instant(on day: Int, atSecond second: Int, _ zone: ZoneRules) -> Date {
        Date(timeIntervalSince1970: Double(zone.firstInstant(atLocal: day * 86_400 + second)))
    }

    private static func secondOfDay(_ text: String, fail: (String) -> TimeWindowError) throws -> Int {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3 else {
            throw fail("\"\(text)\" is not HH:MM or HH:MM:SS")
        }
        var numbers: [Int] = []
        for (i, field) in fields.enumerated() {
            let digitsOnly = field.allSatisfy { $0.isASCII && $0.isNumber }
            let widthOK = i == 0 ? (1...2).contains(field.count) : field.count == 2
            guard digitsOnly, widthOK, let n = Int(field) else {
                throw fail("\"\(text)\" is not HH:MM or HH:MM:SS")
            }
            numbers.append(n)
        }
        guard numbers[0] < 24 else { throw fail("hour \(numbers[0]) is out of range 0-23") }
        guard numbers[1] < 60 else { throw fail("minute \(numbers[1]) is out of range 0-59") }
        let seconds = numbers.count == 3 ? numbers[2] : 0
        guard seconds < 60 else { throw fail("second \(seconds) is out of range 0-59") }
        return numbers[0] * 3_600 + numbers[1] * 60 + seconds
    }

    private static func clock(_ second: Int) -> String {
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let hm = "\(pad(second / 3_600)):\(pad((second % 3_600) / 60))"
        return second % 60 == 0 ? hm : "\(hm):\(pad(second % 60))"
    }
}
