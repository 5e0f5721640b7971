/// The 48-byte NTP packet header (RFC 5905 figure 8), as far as an SNTP client needs it.
package struct SNTPPacket: Equatable {
    package var leap: UInt8
    package var version: UInt8
    package var mode: UInt8
    package var stratum: UInt8
    package var referenceID: [UInt8]
    package var originate: NTPTimestamp
    package var receive: NTPTimestamp
    package var transmit: NTPTimestamp

    package static let size = 48

    /// A client request (mode 3, version 4) carrying `transmit` as its transmit timestamp.
    package static func request(transmit: NTPTimestamp) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes[0] = 0 << 6 | 4 << 3 | 3
        bytes.replaceSubrange(40..<48, with: transmit.bytes)
        return bytes
    }

    /// Decodes a received packet; nil when it is too short to be NTP.
    package init?(bytes: [UInt8]) {
        guard bytes.count >= SNTPPacket.size else { return nil }
        leap = bytes[0] >> 6
        version = bytes[0] >> 3 & 0x07
        mode = bytes[0] & 0x07
        stratum = bytes[1]
        referenceID = Array(bytes[12..<16])
        originate = NTPTimestamp(bytes: bytes, at: 24)
        receive = NTPTimestamp(bytes: bytes, at: 32)
        transmit = NTPTimestamp(bytes: bytes, at: 40)
    }

    /// The reference ID as text: four ASCII letters for stratum 0/1, else a dotted IPv4 address
    /// (or the first 4 bytes of an IPv6 address's MD5, shown the same way).
    package var referenceText: String {
        if stratum <= 1 {
            return String(decoding: referenceID.prefix { $0 != 0 }, as: UTF8.self)
                .filter { $0.isASCII && !$0.isWhitespace }
        }
        return referenceID.map(String.init).joined(separator: ".")
    }
}
