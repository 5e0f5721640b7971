/// Proleptic Gregorian dates as plain day numbers (days since 1970-01-01), the integer
/// arithmetic of Howard Hinnant's `days_from_civil` / `civil_from_days`: no Calendar, no
/// locale, no time zone, so it is exact and cheap for any year a clock can produce.
public enum CivilCalendar {
    /// The day number of `year`-`month`-`day` (month 1...12; a day past the month's end
    /// simply runs on into the next month).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month (1...12) and day (1...31) of day number `n`.
    public static func date(_ n: Int) -> (year: Int, month: Int, day: Int) {
        let z = n + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Sunday 0 ... Saturday 6 of day `n` (1970-01-01 was a Thursday).
    public static func weekday(_ n: Int) -> Int { ((n % 7) + 7 + 4) % 7 }

    /// Whether `year` has a February 29th.
    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The number of days in `month` of `year`.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `floor(a / b)` for a positive `b`, also for negative `a` (Swift's `/` truncates).
    public static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
