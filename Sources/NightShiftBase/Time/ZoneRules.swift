/// A time zone's rules: the local time type at any instant, the instants at which it changes,
/// and the instant of a local wall-clock time. Backed by a ``TZif`` table and its footer (or a
/// POSIX rule alone, or a fixed offset); see ``TZif`` for why NightShift reads zones itself.
public struct ZoneRules: Equatable, Sendable {
    /// The zone's name (`Europe/Berlin`, `UTC`, or the POSIX rule `TZ` held).
    public let identifier: String
    let tzif: TZif

    /// A zone from a parsed TZif file.
    public init(identifier: String, tzif: TZif) {
        self.identifier = identifier
        self.tzif = tzif
    }

    /// A zone from a POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3`, nil when it is not one.
    public init?(posixRule text: String) {
        guard let rule = PosixTimeZoneRule(parsing: text),
              TZif.offsetRange.contains(rule.standard.utcOffset),
              rule.daylight.map({ TZif.offsetRange.contains($0.type.utcOffset) }) ?? true else { return nil }
        self.init(identifier: text, tzif: TZif(transitions: [], transitionTypes: [], types: [rule.standard], footer: rule))
    }

    /// A zone that is always `seconds` east of UTC.
    public static func fixed(secondsEast seconds: Int, identifier: String) -> ZoneRules {
        let type = LocalTimeType(utcOffset: seconds, isDaylightSaving: false, abbreviation: identifier)
        return ZoneRules(identifier: identifier, tzif: TZif(transitions: [], transitionTypes: [], types: [type], footer: nil))
    }

    /// Coordinated Universal Time.
    public static let utc = fixed(secondsEast: 0, identifier: "UTC")

    /// The local time type at `epoch` (seconds since 1970, UTC).
    public func type(at epoch: Int) -> LocalTimeType {
        let t = tzif.transitions
        // Without transitions the footer says it all (RFC 8536 3.2); before the first, type 0.
        guard let first = t.first else { return tzif.footer?.type(at: epoch) ?? tzif.types[0] }
        guard epoch >= first else { return tzif.types[0] }
        if epoch >= t[t.count - 1], let footer = tzif.footer { return footer.type(at: epoch) }
        // The last transition at or before `epoch`.
        var low = 0, high = t.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if t[mid] <= epoch { low = mid } else { high = mid - 1 }
        }
        return tzif.types[tzif.transitionTypes[low]]
    }

    /// Seconds east of UTC at `epoch`.
    public func utcOffset(at epoch: Int) -> Int { type(at: epoch).utcOffset }

    /// Seconds east of UTC at `epoch` (fractional seconds are rounded down; an instant no clock
    /// produces reads the offset of the nearest plausible one).
    public func utcOffset(at epoch: Double) -> Int { utcOffset(at: Self.seconds(epoch)) }

    /// Whether daylight saving time is in effect at `epoch`.
    public func isDaylightSaving(at epoch: Int) -> Bool { type(at: epoch).isDaylightSaving }

    /// The first instant after `epoch` at which the local time type may change, nil when it never does.
    public func nextTransition(after epoch: Int) -> Int? {
        let t = tzif.transitions
        if let last = t.last, epoch < last {
            var low = 0, high = t.count - 1
            while low < high {
                let mid = (low + high) / 2
                if t[mid] > epoch { high = mid } else { low = mid + 1 }
            }
            return t[low]
        }
        return tzif.footer?.nextChange(after: epoch)
    }

    /// The instant at which the local wall clock reads `local` (seconds since 1970-01-01 00:00
    /// local): of a time that occurs twice (the clock falls back) the first; of one that does not
    /// occur (inside a spring-forward gap) the first real instant after the gap.
    public func firstInstant(atLocal local: Int) -> Int {
        // Offsets lie within +-26 hours, so every instant that reads `local` lies in this span;
        // walk its stretches of constant offset in order.
        let limit = local + 100_000
        var from = local - 100_000
        var offset = utcOffset(at: from)
        for _ in 0..<256 {
            let next = nextTransition(after: from)
            let end = min(next ?? limit, limit)
            let candidate = local - offset
            if candidate >= from, candidate < end { return candidate }
            guard let next, next < limit else { break }
            let after = utcOffset(at: next)
            // A gap: the clock jumped from before `local` to after it at `next`.
            if next + offset <= local, local < next + after { return next }
            from = next
            offset = after
        }
        return local - utcOffset(at: local)
    }

    /// Local day number (days since 1970-01-01) and second of that day at `epoch`.
    public func localDay(at epoch: Int) -> (day: Int, second: Int) {
        let local = epoch + utcOffset(at: epoch)
        let day = CivilCalendar.floorDiv(local, 86_400)
        return (day, local - day * 86_400)
    }

    /// `epoch` as whole seconds, rounded down, clamped to +-1e11 (3,000 years) so that a
    /// hand-edited absurd value cannot trap the conversion.
    public static func seconds(_ epoch: Double) -> Int {
        epoch.isFinite ? Int(min(max(epoch, -1e11), 1e11).rounded(.down)) : 0
    }
}
