/// A 64-bit NTP timestamp (RFC 5905: 32-bit seconds since 1900 plus a 32-bit fraction).
public struct NTPTimestamp: Sendable, Hashable {
    /// Seconds since the start of the NTP era (era 0 began 1900-01-01; era 1 begins 2036-02-07).
    public var seconds: UInt32
    /// Fraction of a second in units of 2^-32 s.
    public var fraction: UInt32

    /// Seconds between 1900-01-01 (NTP) and 1970-01-01 (Unix).
    public static let unixOffset: Double = 2_208_988_800

    /// A timestamp from its two raw fields.
    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    /// The timestamp of a Unix time; wraps into the matching era (the era number is not sent on the wire).
    public init(unixTime: Double) {
        let ntp = unixTime + NTPTimestamp.unixOffset
        let whole = ntp.rounded(.down)
        seconds = UInt32(truncatingIfNeeded: Int64(whole))
        fraction = UInt32(min((ntp - whole) * 4_294_967_296, 4_294_967_295))
    }

    /// Reads 8 bytes in network order.
    package init(bytes: [UInt8], at offset: Int) {
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        seconds = word(offset)
        fraction = word(offset + 4)
    }

    /// The 8 bytes in network order.
    package var bytes: [UInt8] {
        [UInt8(seconds >> 24), UInt8(seconds >> 16 & 0xFF), UInt8(seconds >> 8 & 0xFF), UInt8(seconds & 0xFF),
         UInt8(fraction >> 24), UInt8(fraction >> 16 & 0xFF), UInt8(fraction >> 8 & 0xFF), UInt8(fraction & 0xFF)]
    }

    /// Whether the timestamp is the "unknown" value 0.
    public var isZero: Bool { seconds == 0 && fraction == 0 }

    /// The Unix time this timestamp denotes, taking the era closest to `pivot` (a Unix time,
    /// normally the local clock): timestamps within 68 years of it convert correctly across the
    /// 2036 era boundary, as RFC 5905 section 6 and RFC 4330 section 3 require.
    public func unixTime(near pivot: Double) -> Double {
        let pivotNTP = pivot + NTPTimestamp.unixOffset
        let pivotSeconds = pivotNTP.rounded(.down)
        let pivotWrapped = UInt32(truncatingIfNeeded: Int64(pivotSeconds))
        let difference = Int32(bitPattern: seconds &- pivotWrapped)
        let wholeSeconds = pivotSeconds + Double(difference)
        return wholeSeconds + Double(fraction) / 4_294_967_296 - NTPTimestamp.unixOffset
    }
}
