/// How `Prober` probes targets: timeout, retries, source address, ICMP or a TCP port.
public struct ProbeOptions: Sendable, Equatable {
    /// Seconds to wait for an answer to one probe.
    public var timeout: Double
    /// Further probes after the first one goes unanswered (fping's `-r`).
    public var retries: Int
    /// Source address to send from (picks the NIC facing the targets).
    public var via: String?
    /// Probe with a TCP connect to this port instead of ICMP echo.
    public var tcpPort: UInt16?
    /// With `tcpPort`: up only when the port accepts the connection (a service listens there),
    /// not when the host refuses it.
    public var listening: Bool
    /// Probe with an ARP request instead of ICMP echo (IPv4 hosts on a local link; CAP_NET_RAW).
    public var arp: Bool
    /// Which kind of ICMP socket to use.
    public var icmpSocket: ICMPSocketKind
    /// Probe with a NetBIOS node status request (the second look at an ARP-only answer).
    var netbios = false

    /// Options with the documented defaults (timeout 1 s, one retry, ICMP).
    public init(
        timeout: Double = 1, retries: Int = 1, via: String? = nil, tcpPort: UInt16? = nil,
        icmpSocket: ICMPSocketKind = .automatic, arp: Bool = false, listening: Bool = false
    ) {
        self.timeout = timeout
        self.retries = retries
        self.via = via
        self.tcpPort = tcpPort
        self.icmpSocket = icmpSocket
        self.arp = arp
        self.listening = listening
    }

    /// These options after the checks every primitive shares (`OptionCheck`): throws an
    /// `OptionError` naming the field (`timeout`, `retries`, `via`, `tcp`).
    public func validated() throws(OptionError) -> ProbeOptions {
        _ = try OptionCheck.seconds(timeout, field: "timeout")
        _ = try OptionCheck.count(Int64(retries), field: "retries", in: OptionCheck.probeRetries)
        if let tcpPort { _ = try OptionCheck.port(Int64(tcpPort), field: "tcp") }
        if arp, tcpPort != nil { throw OptionError(field: "tcp", requirement: "cannot be combined with an ARP probe") }
        if let via {
            _ = try OptionCheck.noNUL(via, field: "via")
            guard SocketAddress(numeric: via) != nil else {
                throw OptionError(field: "via", requirement: "must be a numeric IPv4 or IPv6 address, not \"\(via)\"")
            }
        }
        return self
    }
}

/// The ICMP socket a sweep opens: the unprivileged datagram kind, a raw one, or whichever works.
public enum ICMPSocketKind: String, Sendable, Equatable, CaseIterable {
    /// Datagram ("ping") socket when net.ipv4.ping_group_range allows it, else raw.
    case automatic
    /// SOCK_DGRAM/IPPROTO_ICMP only.
    case datagram
    /// SOCK_RAW only (needs CAP_NET_RAW).
    case raw
}

/// The outcome for one target: up (with its round-trip time), down, or unknown, and why.
public struct ProbeResult: Sendable, Equatable, CustomStringConvertible {
    /// Whether the target answered.
    public var up: Bool
    /// Round-trip time of the answer, in milliseconds.
    public var rttMilliseconds: Double?
    /// Why the target counts as down or unknown (no reply, unreachable, name does not resolve,
    /// no route from here).
    public var error: String?
    /// True when the probe failed on this machine (no route, `via` not on any NIC, a firewall
    /// rule, a NIC without carrier, replies dropped by our own socket): not known to be
    /// down, so it must never count as offline.
    public var unknown: Bool
    /// The probe that answered ("icmp", "tcp:445", "arp") when a target was asked several ways.
    public var probe: String?
    /// Down because only ARP answered and nothing above it did: a PC asleep whose NIC answers
    /// ARP for it (`"auto"` only; an explicit `"arp"` probe counts an ARP answer as up).
    public var asleep = false

    /// A result as the sweep reports it.
    public init(up: Bool, rttMilliseconds: Double? = nil, error: String? = nil, unknown: Bool = false, probe: String? = nil) {
        self.up = up
        self.rttMilliseconds = rttMilliseconds
        self.error = error
        self.unknown = unknown
        self.probe = probe
    }

    /// The readable form, as the tools print it.
    public var description: String {
        if up {
            let by = probe.map { " (\($0))" } ?? ""
            guard let rtt = rttMilliseconds else { return "up" + by }
            return "up \(ProbeResult.format(rtt)) ms" + by
        }
        return (unknown ? "unknown" : asleep ? "asleep" : "down") + (error.map { " (\($0))" } ?? "")
    }

    static func format(_ milliseconds: Double) -> String {
        let thousandths = Int((milliseconds * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
