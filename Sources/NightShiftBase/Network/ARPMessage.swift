/// ARP for IPv4 over Ethernet (RFC 826): the 28-byte request we send and the replies we accept.
package enum ARPMessage {
    /// EtherType of ARP, also the AF_PACKET protocol number.
    package static let etherType: UInt16 = 0x0806
    package static let length = 28

    /// A who-has request: "who has `target`? tell `senderIP` at `senderMAC`".
    package static func request(senderMAC: [UInt8], senderIP: [UInt8], target: [UInt8]) -> [UInt8] {
        // htype 1 (Ethernet), ptype 0x0800 (IPv4), hlen 6, plen 4, oper 1 (request).
        [0, 1, 0x08, 0x00, 6, 4, 0, 1] + senderMAC + senderIP + [0, 0, 0, 0, 0, 0] + target
    }

    /// The sender's IPv4 address of an ARP reply for IPv4 over Ethernet, else nil. Only replies
    /// count: a request from the target would say it is up too, but a request whose sender is
    /// the target's address can also be a neighbour's duplicate-address probe or our own echo.
    package static func replySender(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= length,
              bytes[0] == 0, bytes[1] == 1, bytes[2] == 0x08, bytes[3] == 0x00, bytes[4] == 6, bytes[5] == 4,
              bytes[6] == 0, bytes[7] == 2 else { return nil }
        let sender = Array(bytes[14..<18])
        return sender == [0, 0, 0, 0] ? nil : sender
    }
}
