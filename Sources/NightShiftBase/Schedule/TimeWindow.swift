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
    public func contains(_ date: Date, in timeZone: TimeZone = .current) -> Bool {
        occurrence(containing: date, in: timeZone) != nil
    }

    /// The start instant of the occurrence containing `date`, or nil when `date` is outside.
    ///
    /// This is the key for "once per window" bookkeeping: every instant of one occurrence maps
    /// to the same start, e.g. 01:00 in `"22:00-02:00"` maps to 22:00 of the previous day.
    public func windowStart(containing date: Date, in timeZone: TimeZone = .current) -> Date? {
        occurrence(containing: date, in: timeZone)?.lowerBound
    }

    /// The end instant of the occurrence containing `date`, or nil when `date` is outside.
    public func windowEnd(containing date: Date, in timeZone: TimeZone = .current) -> Date? {
        occurrence(containing: date, in: timeZone)?.upperBound
    }

    /// The occurrence (opening ..< closing instant) that contains `date`.
    ///
    /// Worked out in instants, not wall-clock readings, so a DST night cannot make a window
    /// vanish: one whose times fall inside a spring-forward gap opens at the first real instant
    /// after the gap, and is open at least one minute even if its end fell into the gap too.
    public func occurrence(containing date: Date, in timeZone: TimeZone = .current) -> Range<Date>? {
        let cal = Self.calendar(timeZone)
        let today = cal.day(of: date)
        for offset in [0, -1] {
            let day = cal.day(today, adding: offset)
            let range = occurrence(openingOn: day, cal)
            if range.contains(date) { return range }
        }
        return nil
    }

    /// The occurrence that opens on local calendar day `day`.
    private func occurrence(openingOn day: DateComponents, _ cal: Calendar) -> Range<Date> {
        let open = cal.instant(on: day, atSecond: startSecond)
        var close = cal.instant(on: spansMidnight ? cal.day(day, adding: 1) : day, atSecond: endSecond)
        if close <= open { close = open.addingTimeInterval(60) }
        return open..<close
    }

    /// The first window start strictly after `date`.
    public func nextStart(after date: Date, in timeZone: TimeZone = .current) -> Date {
        let cal = Self.calendar(timeZone)
        var day = cal.day(of: date)
        // Two days always suffice; the third guards against a start that DST pushed backwards.
        for _ in 0..<3 {
            let candidate = cal.instant(on: day, atSecond: startSecond)
            if candidate > date { return candidate }
            day = cal.day(day, adding: 1)
        }
        return cal.instant(on: day, atSecond: startSecond)
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

    private static func calendar(_ timeZone: TimeZone) -> Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        return cal
    }
}

fileprivate extension Calendar {
    /// The local calendar day of `date`.
    func day(of date: Date) -> DateComponents {
        dateComponents([.year, .month, .day], from: date)
    }

    /// The calendar day `days` after `day`; computed at noon so that DST shifts cannot skip a day.
    func day(_ day: DateComponents, adding days: Int) -> DateComponents {
        var noon = day
        noon.hour = 12
        let base = date(from: noon) ?? Date()
        let moved = date(byAdding: .day, value: days, to: base) ?? base
        return self.day(of: moved)
    }

    /// The instant of a local wall-clock time on a day; of a repeated time (fall back) the first
    /// of its two instants. A time inside a spring-forward gap does not exist: it becomes the
    /// first real instant after the gap (Foundation would move it on by the gap's length, so
    /// "02:30" on a 02:00->03:00 night would open at 03:30 instead of 03:00).
    func instant(on day: DateComponents, atSecond second: Int) -> Date {
        var c = day
        c.hour = second / 3_600
        c.minute = (second % 3_600) / 60
        c.second = second % 60
        c.nanosecond = 0
        guard let found = date(from: c) else { return Date(timeIntervalSince1970: 0) }
        let wall = dateComponents([.year, .month, .day, .hour, .minute, .second], from: found)
        if wall.day == c.day, wall.hour == c.hour, wall.minute == c.minute, wall.second == c.second {
            return found
        }
        // In a gap: the transition that ends it lies within a day before `found`.
        if let transition = timeZone.nextDaylightSavingTimeTransition(after: found.addingTimeInterval(-86_400)),
           transition <= found {
            return transition
        }
        return found
    }
}
