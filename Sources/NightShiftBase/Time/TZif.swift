/// One local time type of a zone: its offset from UTC, whether it is daylight saving time,
/// and its abbreviation (`CET`, `+0530`).
public struct LocalTimeType: Equatable, Hashable, Sendable {
    /// Seconds east of UTC.
    public var utcOffset: Int
    /// Whether this is daylight saving time.
    public var isDaylightSaving: Bool
    /// The abbreviation, e.g. `CEST`.
    public var abbreviation: String

    /// Creates a type.
    public init(utcOffset: Int, isDaylightSaving: Bool, abbreviation: String) {
        self.utcOffset = utcOffset
        self.isDaylightSaving = isDaylightSaving
        self.abbreviation = abbreviation
    }
}

/// A TZif file that could not be read, with what was wrong where.
public struct TZifError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message, e.g. `not a TZif file (no "TZif" magic)`.
    public let message: String
    /// Creates an error with the given message.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// The contents of a TZif file (RFC 8536, versions 1-4): the table of transitions and the
/// footer's POSIX rule for the instants after it.
///
/// Hand-written rather than Foundation's `TimeZone`: on Linux FoundationEssentials has no
/// time zones, and FoundationInternationalization's pull in ICU's zone code and data, 4 MiB
/// of resident memory for a process that only ever needs the one local zone. Pure Swift over
/// bytes, so it can be fuzzed and never traps on a corrupt file (it throws ``TZifError``).
/// Leap-second records (the `right/` zones) are skipped: NightShift counts POSIX seconds.
public struct TZif: Equatable, Sendable {
    /// Transition instants (seconds since 1970, UTC), ascending.
    public var transitions: [Int]
    /// For each transition, the index into `types` of the time that begins there.
    public var transitionTypes: [Int]
    /// The local time types; `types[0]` holds before the first transition.
    public var types: [LocalTimeType]
    /// The footer's rule for instants after the last transition, when the file has one.
    var footer: PosixTimeZoneRule?

    /// A table from its parts (a zone that is only a rule or a fixed offset has no transitions).
    init(transitions: [Int], transitionTypes: [Int], types: [LocalTimeType], footer: PosixTimeZoneRule?) {
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.footer = footer
    }

    /// Offsets beyond these (about +-26 hours) are rejected, as RFC 8536 recommends.
    static let offsetRange = -89_999...93_599

    /// Parses the bytes of a TZif file.
    public init(bytes: [UInt8]) throws(TZifError) {
        var r = Reader(bytes: bytes)
        var header = try r.header()
        var timeSize = 4
        if header.version >= 2 {
            // Skip the version 1 block: the 64-bit block after it says the same for more years.
            try r.skip(header.blockSize(timeSize: 4))
            header = try r.header()
            timeSize = 8
        }
        let h = header
        var transitions: [Int] = []
        transitions.reserveCapacity(h.timecnt)
        for _ in 0..<h.timecnt {
            let t = timeSize == 8 ? Int(Int64(bitPattern: try r.unsigned(8))) : Int(Int32(truncatingIfNeeded: try r.unsigned(4)))
            if let last = transitions.last, t <= last { throw TZifError("transition times are not ascending") }
            transitions.append(t)
        }
        var indices: [Int] = []
        indices.reserveCapacity(h.timecnt)
        for _ in 0..<h.timecnt {
            let i = Int(try r.byte())
            guard i < h.typecnt else { throw TZifError("transition type \(i) is not one of \(h.typecnt) types") }
            indices.append(i)
        }
        var raw: [(offset: Int, dst: Bool, abbr: Int)] = []
        for _ in 0..<h.typecnt {
            let offset = Int(Int32(truncatingIfNeeded: try r.unsigned(4)))
            guard Self.offsetRange.contains(offset) else { throw TZifError("UTC offset \(offset) s is out of range") }
            let dst = try r.byte()
            guard dst <= 1 else { throw TZifError("DST flag \(dst) is not 0 or 1") }
            let abbr = Int(try r.byte())
            guard abbr < h.charcnt else { throw TZifError("abbreviation index \(abbr) is past the \(h.charcnt) characters") }
            raw.append((offset, dst == 1, abbr))
        }
        let chars = Array(try r.take(h.charcnt))
        types = raw.map { t in
            let end = chars[t.abbr...].firstIndex(of: 0) ?? chars.endIndex
            return LocalTimeType(utcOffset: t.offset, isDaylightSaving: t.dst,
                                 abbreviation: String(decoding: chars[t.abbr..<end], as: UTF8.self))
        }
        self.transitions = transitions
        self.transitionTypes = indices
        try r.skip(h.leapcnt * (timeSize + 4) + h.isstdcnt + h.isutcnt)
        footer = nil
        if header.version >= 2 {
            guard try r.byte() == 0x0A, let end = r.rest.firstIndex(of: 0x0A) else {
                throw TZifError("the footer is not a line")
            }
            let text = String(decoding: r.rest[..<end], as: UTF8.self)
            if !text.isEmpty {
                guard let rule = PosixTimeZoneRule(parsing: text) else {
                    throw TZifError("the footer \"\(text)\" is not a POSIX TZ rule")
                }
                guard Self.offsetRange.contains(rule.standard.utcOffset),
                      rule.daylight.map({ Self.offsetRange.contains($0.type.utcOffset) }) ?? true else {
                    throw TZifError("the footer \"\(text)\" has an offset out of range")
                }
                footer = rule
            }
        }
    }

    /// The fixed header of each data block.
    private struct Header {
        var version: Int
        var isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int

        func blockSize(timeSize: Int) -> Int {
            timecnt * (timeSize + 1) + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt
        }
    }

    /// A bounds-checked cursor: every read past the end throws instead of trapping.
    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        var rest: ArraySlice<UInt8> { bytes[i...] }

        mutating func take(_ n: Int) throws(TZifError) -> ArraySlice<UInt8> {
            guard n >= 0, n <= bytes.count - i else { throw TZifError("truncated (\(bytes.count) bytes)") }
            defer { i += n }
            return bytes[i..<(i + n)]
        }

        mutating func skip(_ n: Int) throws(TZifError) { _ = try take(n) }

        mutating func byte() throws(TZifError) -> UInt8 { try take(1).first! }

        mutating func unsigned(_ n: Int) throws(TZifError) -> UInt64 {
            try take(n).reduce(0) { $0 << 8 | UInt64($1) }
        }

        mutating func header() throws(TZifError) -> Header {
            guard Array(try take(4)) == Array("TZif".utf8) else { throw TZifError("not a TZif file (no \"TZif\" magic)") }
            let v = try byte()
            let version: Int
            switch v {
            case 0: version = 1
            case UInt8(ascii: "2")...UInt8(ascii: "4"): version = Int(v - UInt8(ascii: "0"))
            default: throw TZifError("unknown TZif version byte \(v)")
            }
            try skip(15)
            var counts: [Int] = []
            for _ in 0..<6 {
                let c = try unsigned(4)
                // Each count is bounded by the bytes it needs, so a huge one fails here, not in an allocation.
                guard c <= UInt64(bytes.count) else { throw TZifError("truncated (a count of \(c) in \(bytes.count) bytes)") }
                counts.append(Int(c))
            }
            let h = Header(version: version, isutcnt: counts[0], isstdcnt: counts[1], leapcnt: counts[2],
                           timecnt: counts[3], typecnt: counts[4], charcnt: counts[5])
            guard h.typecnt > 0 else { throw TZifError("no local time types") }
            guard h.isutcnt == 0 || h.isutcnt == h.typecnt, h.isstdcnt == 0 || h.isstdcnt == h.typecnt else {
                throw TZifError("the UT/standard indicator counts do not match the types")
            }
            return h
        }
    }
}
