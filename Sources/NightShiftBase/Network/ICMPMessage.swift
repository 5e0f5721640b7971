/// ICMP echo requests and the replies and errors that answer them (RFC 792, RFC 4443).
package enum ICMPMessage {
    /// What a received ICMP message means for a sweep.
    package enum Parsed: Equatable {
        case echoReply(identifier: UInt16, sequence: UInt16)
        /// An error about one of our echo requests, with the destination it was sent to.
        case error(type: UInt8, code: UInt8, originalDestination: [UInt8], identifier: UInt16, sequence: UInt16)
    }

    /// Bytes after the 8-byte header; 56 like ping(8), so replies look like any other ping's.
    package static let payloadSize = 56

    /// An echo request. The checksum matters only for IPv4 raw sockets; the kernel fills it in
    /// for ICMPv6 and for datagram ("ping") sockets.
    package static func echoRequest(ipv6: Bool, identifier: UInt16, sequence: UInt16) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: 8 + payloadSize)
        packet[0] = ipv6 ? 128 : 8
        packet[4] = UInt8(identifier >> 8)
        packet[5] = UInt8(identifier & 0xFF)
        packet[6] = UInt8(sequence >> 8)
        packet[7] = UInt8(sequence & 0xFF)
        for index in 8..<packet.count { packet[index] = UInt8(truncatingIfNeeded: index) }
        if !ipv6 {
            let sum = checksum(packet)
            packet[2] = UInt8(sum >> 8)
            packet[3] = UInt8(sum & 0xFF)
        }
        return packet
    }

    /// The Internet checksum (RFC 1071).
    package static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// Parses a received message. `includesIPHeader` is true for IPv4 raw sockets, which see
    /// the IP header; ICMPv6 and datagram sockets start at the ICMP header.
    package static func parse(_ bytes: [UInt8], ipv6: Bool, includesIPHeader: Bool) -> Parsed? {
        var start = 0
        if includesIPHeader {
            guard bytes.count >= 20, bytes[0] >> 4 == 4 else { return nil }
            start = Int(bytes[0] & 0x0F) * 4
        }
        guard bytes.count >= start + 8 else { return nil }
        let type = bytes[start]
        let code = bytes[start + 1]
        let replyType: UInt8 = ipv6 ? 129 : 0
        if type == replyType {
            return .echoReply(identifier: word(bytes, start + 4), sequence: word(bytes, start + 6))
        }
        // v4: 3 destination unreachable, 11 time exceeded; v6: 1 unreachable, 3 time exceeded.
        let errorTypes: Set<UInt8> = ipv6 ? [1, 3] : [3, 11]
        guard errorTypes.contains(type) else { return nil }
        guard let inner = embeddedEcho(bytes, from: start + 8, ipv6: ipv6) else { return nil }
        return .error(type: type, code: code, originalDestination: inner.destination,
                      identifier: inner.identifier, sequence: inner.sequence)
    }

    /// Reads identifier and sequence of our own echo request as an error-queue entry carries it.
    package static func parseOwnRequest(_ bytes: [UInt8], ipv6: Bool) -> (identifier: UInt16, sequence: UInt16)? {
        var start = 0
        if !ipv6, bytes.count >= 20, bytes[0] >> 4 == 4 { start = Int(bytes[0] & 0x0F) * 4 }
        guard bytes.count >= start + 8, bytes[start] == (ipv6 ? 128 : 8) else { return nil }
        return (word(bytes, start + 4), word(bytes, start + 6))
    }

    /// The readable meaning of an ICMP error type/code.
    package static func describe(type: UInt8, code: UInt8, ipv6: Bool) -> String {
        if ipv6 {
            if type == 3 { return "time exceeded" }
            switch code {
            case 0: return "no route to destination"
            case 1: return "communication administratively prohibited"
            case 3: return "address unreachable"
            case 4: return "port unreachable"
            case 5, 6: return "source address failed policy"
            default: return "destination unreachable (code \(code))"
            }
        }
        if type == 11 { return "time exceeded" }
        switch code {
        case 0: return "network unreachable"
        case 1: return "host unreachable"
        case 2: return "protocol unreachable"
        case 3: return "port unreachable"
        case 9, 10, 13: return "communication administratively prohibited"
        default: return "destination unreachable (code \(code))"
        }
    }

    private static func word(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }

    /// The echo request quoted inside an ICMP error: IP header, then the first 8 ICMP bytes.
    private static func embeddedEcho(
        _ bytes: [UInt8], from offset: Int, ipv6: Bool
    ) -> (destination: [UInt8], identifier: UInt16, sequence: UInt16)? {
        if ipv6 {
            guard bytes.count >= offset + 48, bytes[offset] >> 4 == 6, bytes[offset + 6] == 58 else { return nil }
            let echo = offset + 40
            guard bytes[echo] == 128 else { return nil }
            return (Array(bytes[(offset + 24)..<(offset + 40)]), word(bytes, echo + 4), word(bytes, echo + 6))
        }
        guard bytes.count >= offset + 20, bytes[offset] >> 4 == 4, bytes[offset + 9] == 1 else { return nil }
        let echo = offset + Int(bytes[offset] & 0x0F) * 4
        guard bytes.count >= echo + 8, bytes[echo] == 8 else { return nil }
        return (Array(bytes[(offset + 16)..<(offset + 20)]), word(bytes, echo + 4), word(bytes, echo + 6))
    }
}
