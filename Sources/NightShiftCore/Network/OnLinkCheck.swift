/// Whether `"auto"` can add ARP for an address, asked of the kernel's routing table (no packet
/// is sent): what `nightshift check` reads to warn about a routed office.
public enum OnLinkCheck {
    /// Why ARP cannot reach `address` from here (routed through a gateway, not IPv4, no route),
    /// or nil when it is on a local link. A host name is not resolved (nil): `check` sends no
    /// packets, DNS queries included.
    public static func problem(_ address: String, via: String?) -> String? {
        guard let target = SocketAddress(numeric: address) else { return nil }
        var link = LocalLink()
        if case .failure(let why) = link.arpLink(for: target, from: via.flatMap { SocketAddress(numeric: $0) }) {
            return why.reason
        }
        return nil
    }

    /// Whether `problem` says the address is routed (a gateway between us), as in a routed office.
    public static func isRouted(_ address: String, via: String?) -> Bool {
        problem(address, via: via)?.hasPrefix("not on-link") == true
    }
}
