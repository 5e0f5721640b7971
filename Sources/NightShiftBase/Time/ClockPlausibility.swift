import Foundation

/// This build's date and what follows from it for clocks (docs/design.md, invariant 13): an
/// answer before it is refused, a clock before it is implausible (a dead RTC) and may be set
/// to a good reference by any amount, and a plausible clock is never stepped by more than
/// `max_clock_step` from one reference.
public enum ClockPlausibility {
    /// 2026-12-01 00:00:00 UTC, the first day of this release's month: a constant kept current
    /// at each release (DEVELOPERS.md, "Releasing"), not generated at build time - a generated
    /// date would make two builds of one commit differ, and SwiftPM re-runs a build plugin only
    /// when its inputs change. The month's start leaves room for a clock stepped back a little.
    public static let buildDate: Double = 1_796_083_200

    /// Where the NTP era 1 begins (2036-02-07 06:28:16 UTC): the wire carries no era number.
    public static let eraOneStart: Double = 4_294_967_296 - NTPTimestamp.unixOffset

    /// Whether a clock reading `time` can be right: not before this build's date.
    public static func isPlausible(_ time: Double) -> Bool { time.isFinite && time >= buildDate }

    /// Why the time answer `time` is refused, or nil when it is usable.
    public static func answerProblem(_ time: Double) -> String? {
        guard time.isFinite else { return "not a time" }
        if time < buildDate {
            return "it says \(text(time)), before this build's date (\(text(buildDate)))"
        }
        return nil
    }

    /// Why a raw NTP transmit timestamp is refused: before this build's date in era 0 (an
    /// unset clock answers 1900-01-01) while this machine is itself still in era 0, so that
    /// only the era wrap would make it read as 2036 or later. Nil when it is usable.
    public static func eraWrapProblem(seconds: UInt32, readAs time: Double, localTime: Double) -> String? {
        let eraZero = Double(seconds) - NTPTimestamp.unixOffset
        guard eraZero < buildDate, time >= eraOneStart, localTime < eraOneStart else { return nil }
        return "it says \(text(eraZero)) (\(text(time)) read across the 2036 era wrap), before this build's date (\(text(buildDate)))"
    }

    /// Why setting a clock that reads `clockTime` (nil: it could not be read) to the time
    /// `reference` is refused, or nil when it may be done. `maxStep` is `max_clock_step`.
    public static func stepRefusal(clockTime: Double?, reference: Double, maxStep: Double?) -> String? {
        if let problem = answerProblem(reference) { return "the reference is implausible: \(problem)" }
        guard let clockTime, isPlausible(clockTime), let maxStep else { return nil }
        let step = reference - clockTime
        guard abs(step) > maxStep else { return nil }
        return String(format: "a step of %+.3f s (%@) exceeds max_clock_step (%@) for a clock that reads %@, a plausible time",
                      step, DurationText.format(abs(step)), DurationText.format(maxStep), text(clockTime))
    }

    /// A UTC date and time for messages.
    public static func text(_ time: Double) -> String {
        guard time.isFinite, abs(time) < 1e13 else { return "\(time)" }
        var t = time_t(time.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
