/// One way of asking whether a host is there: a host's `probe` ("icmp", "tcp:PORT", "arp",
/// "auto") and the `probe` option of `ns.ping` / `ns.wait_up`.
public enum ProbeMethod: Sendable, Hashable, CustomStringConvertible {
    /// ICMP echo.
    case icmp
    /// A TCP connect to the port; connected or refused means up.
    case tcp(UInt16)
    /// An ARP request out of the NIC facing the host (IPv4, on-link hosts only).
    case arp
    /// ICMP, plus ARP when the address is on a local link; ICMP alone otherwise.
    case auto

    /// Parses "icmp", "tcp:PORT", "arp" or "auto"; nil for anything else.
    public init?(parsing text: String) {
        switch text {
        case "icmp": self = .icmp
        case "arp": self = .arp
        case "auto": self = .auto
        default:
            // Digits only: `UInt16("+80")` reads a sign the DSL and the docs never allowed.
            let digits = text.dropFirst(4)
            guard text.hasPrefix("tcp:"), !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let port = UInt16(digits), port >= 1 else { return nil }
            self = .tcp(port)
        }
    }

    /// The text form: "icmp", "tcp:445", "arp", "auto".
    public var description: String {
        switch self {
        case .icmp: return "icmp"
        case .tcp(let port): return "tcp:\(port)"
        case .arp: return "arp"
        case .auto: return "auto"
        }
    }
}
