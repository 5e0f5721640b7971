/// NetBIOS node status (RFC 1002 4.2.17 / 4.2.18): the request that tells a PC that is on from
/// one whose NIC answers ARP for it while it sleeps, and the decoder for the replies.
///
/// Hand-written: no Swift package speaks NBNS, and the request is 50 fixed bytes. The name asked
/// is the wildcard `*`, never the PC's own name: the wake patterns Windows programs into a NIC
/// match a name query for its own name, so asking by name could wake the PC we only look at.
package enum NBNSMessage {
    /// UDP port of the NetBIOS name service.
    package static let port: UInt16 = 137
    /// Question type NBSTAT (node status).
    package static let nodeStatusType: UInt16 = 0x0021
    package static let requestLength = 50

    /// A node status request for `*` with this transaction ID (unicast: no broadcast flag).
    package static func nodeStatusRequest(transactionID: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(transactionID >> 8), UInt8(transactionID & 0xFF),
                              0x00, 0x00, // query, opcode 0, no flags
                              0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] // one question
        bytes += encodedName([0x2A] + [UInt8](repeating: 0, count: 15))
        bytes += [UInt8(nodeStatusType >> 8), UInt8(nodeStatusType & 0xFF), 0x00, 0x01] // NBSTAT, IN
        return bytes
    }

    /// First-level encoding (RFC 1001 14.1): each of the 16 bytes as two letters 'A' + nibble,
    /// as one 32-byte label, then the root label.
    package static func encodedName(_ sixteen: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [32]
        for byte in sixteen { out += [0x41 + (byte >> 4), 0x41 + (byte & 0x0F)] }
        return out + [0]
    }

    /// The transaction ID of a message (ours, returned in an ICMP error, or a reply), else nil.
    package static func transactionID(_ bytes: [UInt8]) -> UInt16? {
        bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : nil
    }

    /// One entry of a node status reply's name table.
    package struct Name: Equatable {
        /// The 15-character name, trailing spaces removed.
        package let name: String
        /// The 16th byte: 0x00 workstation, 0x20 file server, 0x1D master browser...
        package let suffix: UInt8
        /// A group name (the workgroup or domain) rather than a unique one.
        package let group: Bool
    }

    /// What a node status reply says about the node.
    package struct NodeStatus: Equatable {
        package let names: [Name]
        /// The unit ID (the MAC address for Windows; zeros for Samba).
        package let unitID: [UInt8]

        /// The machine's own name: the first unique workstation name, else the first name.
        package var machineName: String? {
            (names.first { !$0.group && $0.suffix == 0 } ?? names.first)?.name
        }
    }

    /// Decodes a positive node status reply to the request with `transactionID`; nil for
    /// anything else (another ID, a request, an error code, a truncated or malformed reply).
    /// Every length comes from the message, so each is checked against what arrived.
    package static func nodeStatus(_ bytes: [UInt8], transactionID: UInt16) -> NodeStatus? {
        guard bytes.count >= 12, Self.transactionID(bytes) == transactionID,
              bytes[2] & 0x80 != 0,           // a response
              (bytes[2] >> 3) & 0x0F == 0,    // opcode query
              bytes[3] & 0x0F == 0            // RCODE 0
        else { return nil }
        let questions = Int(bytes[4]) << 8 | Int(bytes[5])
        let answers = Int(bytes[6]) << 8 | Int(bytes[7])
        guard answers >= 1 else { return nil }
        var offset = 12
        // A reply carries no question section, but a lenient responder might echo one.
        for _ in 0..<min(questions, 4) {
            guard let next = skipName(bytes, at: offset), next + 4 <= bytes.count else { return nil }
            offset = next + 4
        }
        guard let afterName = skipName(bytes, at: offset), afterName + 10 <= bytes.count else { return nil }
        let type = UInt16(bytes[afterName]) << 8 | UInt16(bytes[afterName + 1])
        let length = Int(bytes[afterName + 8]) << 8 | Int(bytes[afterName + 9])
        let start = afterName + 10
        guard type == nodeStatusType, length >= 1, start + length <= bytes.count else { return nil }
        let data = bytes[start..<(start + length)]
        let count = Int(data[start])
        guard 1 + count * 18 <= data.count else { return nil }
        var names: [Name] = []
        for index in 0..<count {
            let entry = start + 1 + index * 18
            let raw = bytes[entry..<(entry + 15)]
            var text = String(decoding: raw.map { $0 >= 0x20 && $0 < 0x7F ? $0 : 0x3F }, as: UTF8.self)
            while text.hasSuffix(" ") { text.removeLast() }
            names.append(Name(name: text, suffix: bytes[entry + 15], group: bytes[entry + 16] & 0x80 != 0))
        }
        let statistics = start + 1 + count * 18
        let unitEnd = min(statistics + 6, start + length)
        let unitID = unitEnd - statistics == 6 ? Array(bytes[statistics..<unitEnd]) : []
        return NodeStatus(names: names, unitID: unitID)
    }

    /// The offset after a domain-style name at `offset` (labels, or a compression pointer); nil
    /// when it runs past the end or is not a name.
    private static func skipName(_ bytes: [UInt8], at offset: Int) -> Int? {
        var offset = offset
        // A NetBIOS name is one 32-byte label plus an optional scope: a few labels at most.
        for _ in 0..<64 {
            guard offset < bytes.count else { return nil }
            let length = Int(bytes[offset])
            switch length & 0xC0 {
            case 0xC0:
                return offset + 2 <= bytes.count ? offset + 2 : nil
            case 0x00:
                if length == 0 { return offset + 1 }
                offset += 1 + length
            default:
                return nil
            }
        }
        return nil
    }
}
