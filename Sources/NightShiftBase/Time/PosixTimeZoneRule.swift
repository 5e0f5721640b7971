/// A POSIX `TZ` rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: the footer of a TZif file, which
/// gives the zone's offsets for instants after its table of transitions (and all of them in a
/// "slim" file), or the whole zone when `TZ` holds a rule instead of a name (POSIX, RFC 8536 3.3).
struct PosixTimeZoneRule: Equatable, Sendable {
    /// Standard time: seconds east of UTC and the abbreviation.
    var standard: LocalTimeType
    /// Daylight saving time and the two yearly changes, or nil for a zone without DST.
    var daylight: Daylight?

    /// The DST part of a rule: its local time type and the local instants it starts and ends.
    struct Daylight: Equatable, Sendable {
        var type: LocalTimeType
        /// DST begins at this date and time of standard time.
        var start: Change
        /// DST ends at this date and time of daylight time.
        var end: Change
    }

    /// A yearly date and the local time of day (seconds, -167 h ... 167 h) of a change.
    struct Change: Equatable, Sendable {
        enum Day: Equatable, Sendable {
            /// `Jn`: day 1...365 of the year, February 29th never counted.
            case julianNoLeap(Int)
            /// `n`: day 0...365 of the year, February 29th counted.
            case zeroBased(Int)
            /// `Mm.w.d`: weekday `d` (0 Sunday) of week `w` (1...5, 5 the last) of month `m`.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }
        var day: Day
        var time: Int

        /// The day number (days since 1970-01-01) the change falls on in `year`.
        func dayNumber(in year: Int) -> Int {
            let jan1 = CivilCalendar.days(year: year, month: 1, day: 1)
            switch day {
            case .julianNoLeap(let n):
                return jan1 + n - 1 + (CivilCalendar.isLeap(year) && n >= 60 ? 1 : 0)
            case .zeroBased(let n):
                return jan1 + n
            case .monthWeekDay(let month, let week, let weekday):
                let first = CivilCalendar.days(year: year, month: month, day: 1)
                var n = first + (weekday - CivilCalendar.weekday(first) + 7) % 7 + (week - 1) * 7
                let length = CivilCalendar.daysIn(month: month, year: year)
                while n >= first + length { n -= 7 }
                return n
            }
        }
    }

    /// The local time type in effect at `epoch` (seconds since 1970, UTC).
    func type(at epoch: Int) -> LocalTimeType {
        guard let daylight else { return standard }
        let year = CivilCalendar.date(CivilCalendar.floorDiv(epoch + standard.utcOffset, 86_400)).year
        let (start, end) = changes(in: year, daylight)
        let inDST = start < end ? (start <= epoch && epoch < end) : !(end <= epoch && epoch < start)
        return inDST ? daylight.type : standard
    }

    /// The first instant after `epoch` at which the offset or DST flag may change.
    func nextChange(after epoch: Int) -> Int? {
        guard let daylight else { return nil }
        let year = CivilCalendar.date(CivilCalendar.floorDiv(epoch + standard.utcOffset, 86_400)).year
        var best: Int?
        for y in (year - 1)...(year + 1) {
            let (start, end) = changes(in: y, daylight)
            for t in [start, end] where t > epoch && t < (best ?? .max) { best = t }
        }
        return best
    }

    /// The UTC instants at which DST starts and ends in `year`.
    private func changes(in year: Int, _ daylight: Daylight) -> (start: Int, end: Int) {
        let start = daylight.start.dayNumber(in: year) * 86_400 + daylight.start.time - standard.utcOffset
        let end = daylight.end.dayNumber(in: year) * 86_400 + daylight.end.time - daylight.type.utcOffset
        return (start, end)
    }
}

extension PosixTimeZoneRule {
    /// Parses a POSIX TZ rule (with RFC 8536's extensions: `<+0530>` names, hours up to 167
    /// in change times); nil when `text` is not one.
    init?(parsing text: String) {
        var p = Scanner(Array(text.utf8))
        guard let stdName = p.name(), let stdOffset = p.offset(maxHours: 24) else { return nil }
        standard = LocalTimeType(utcOffset: -stdOffset, isDaylightSaving: false, abbreviation: stdName)
        if p.atEnd {
            daylight = nil
            return
        }
        guard let dstName = p.name() else { return nil }
        var dstOffset = stdOffset - 3_600
        if let c = p.peek, c != UInt8(ascii: ",") {
            guard let o = p.offset(maxHours: 24) else { return nil }
            dstOffset = o
        }
        let start: Change, end: Change
        if p.atEnd {
            // No rule: POSIX leaves it to the implementation; glibc and tzcode take the US rule.
            start = Change(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7_200)
            end = Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7_200)
        } else {
            guard p.skip(","), let s = p.change(), p.skip(","), let e = p.change(), p.atEnd else { return nil }
            start = s
            end = e
        }
        daylight = Daylight(type: LocalTimeType(utcOffset: -dstOffset, isDaylightSaving: true, abbreviation: dstName),
                            start: start, end: end)
    }

    /// A cursor over the rule's bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { i == bytes.count }
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skip(_ c: Character) -> Bool {
            guard peek == c.asciiValue else { return false }
            i += 1
            return true
        }

        /// `ABC` (three or more letters) or `<...>` (three or more of letters, digits, + and -).
        mutating func name() -> String? {
            let quoted = skip("<")
            let begin = i
            while let c = peek, Self.isLetter(c) || (quoted && (Self.isDigit(c) || c == 0x2B || c == 0x2D)) { i += 1 }
            let name = String(decoding: bytes[begin..<i], as: UTF8.self)
            guard name.utf8.count >= 3 else { return nil }
            if quoted, !skip(">") { return nil }
            return name
        }

        /// `[+-]hh[:mm[:ss]]` in seconds (POSIX sign: west of Greenwich is positive).
        mutating func offset(maxHours: Int) -> Int? {
            var sign = 1
            if skip("-") { sign = -1 } else { _ = skip("+") }
            guard let h = number(maxDigits: 3), h <= maxHours else { return nil }
            var seconds = h * 3_600
            if skip(":") {
                guard let m = number(maxDigits: 2), m < 60 else { return nil }
                seconds += m * 60
                if skip(":") {
                    guard let s = number(maxDigits: 2), s < 60 else { return nil }
                    seconds += s
                }
            }
            return sign * seconds
        }

        /// `Jn`, `n` or `Mm.w.d`, then optionally `/time` (default 02:00).
        mutating func change() -> Change? {
            let day: Change.Day
            if skip("J") {
                guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
                day = .julianNoLeap(n)
            } else if skip("M") {
                guard let m = number(maxDigits: 2), (1...12).contains(m), skip("."),
                      let w = number(maxDigits: 1), (1...5).contains(w), skip("."),
                      let d = number(maxDigits: 1), d <= 6 else { return nil }
                day = .monthWeekDay(month: m, week: w, weekday: d)
            } else {
                guard let n = number(maxDigits: 3), n <= 365 else { return nil }
                day = .zeroBased(n)
            }
            var time = 7_200
            if skip("/") {
                guard let t = offset(maxHours: 167) else { return nil }
                time = t
            }
            return Change(day: day, time: time)
        }

        private mutating func number(maxDigits: Int) -> Int? {
            let begin = i
            var n = 0
            while let c = peek, Self.isDigit(c), i - begin < maxDigits {
                n = n * 10 + Int(c - 0x30)
                i += 1
            }
            return i > begin ? n : nil
        }

        private static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
        private static func isLetter(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
    }
}
