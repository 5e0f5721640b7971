/// Wake-on-LAN magic packets over UDP broadcast. Hand-written: the packet is
/// 102 fixed bytes, and the tools that exist (etherwake, wakeonlan) are programs, not libraries.
/// The packet and the password are here; sending is Core's (`WakeOnLAN+Send`).
public enum WakeOnLAN {
    /// The magic packet: 6 x 0xFF, the MAC 16 times, then the SecureOn password if any (102, 106 or 108 bytes).
    public static func magicPacket(for mac: MACAddress, password: [UInt8]? = nil) throws -> [UInt8] {
        if let password, password.count != 4, password.count != 6 {
            throw NetworkError.invalidPassword("it must be 4 or 6 bytes, not \(password.count)")
        }
        var packet = [UInt8](repeating: 0xFF, count: 6)
        for _ in 0..<16 { packet += mac.bytes }
        return packet + (password ?? [])
    }

    /// Parses a SecureOn password: 6 hex bytes like a MAC, 4 hex bytes, or 4 dotted decimals.
    /// The error never repeats the text, since it is a secret.
    public static func parsePassword(_ text: String) throws -> [UInt8] {
        if let six = MACAddress.hexBytes(text, count: 6) { return six }
        if let four = MACAddress.hexBytes(text, count: 4) { return four }
        let dotted = text.split(separator: ".", omittingEmptySubsequences: false)
        if dotted.count == 4 {
            let values = dotted.compactMap { UInt8($0) }
            if values.count == 4 { return values }
        }
        throw NetworkError.invalidPassword("expected 4 or 6 hex bytes such as 01:02:03:04:05:06, or a.b.c.d")
    }
}
