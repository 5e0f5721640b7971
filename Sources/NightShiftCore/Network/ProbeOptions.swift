/// How `Prober` probes targets: the `opts` of `ns.ping`, `ns.is_up` and `ns.wait_up`.
public struct ProbeOptions: Sendable, Equatable {
    /// Seconds to wait for an answer to one probe.
    public var timeout: Double
    /// Further probes after the first one goes unanswered (fping's `-r`).
    public var retries: Int
    /// Source address to send from (picks the NIC facing the targets).
    public var via: String?
    /// Probe with a TCP connect to this port instead of ICMP echo.
    public var tcpPort: UInt16?
    /// Which kind of ICMP socket to use.
    public var icmpSocket: ICMPSocketKind
    /// Seconds between two consecutive sends (fping's `-i`); 0 sends everything at once.
    public var sendInterval: Double

    /// Options with the documented defaults (timeout 1 s, one retry, ICMP).
    public init(
        timeout: Double = 1, retries: Int = 1, via: String? = nil, tcpPort: UInt16? = nil,
        icmpSocket: ICMPSocketKind = .automatic, sendInterval: Double = 0
    ) {
        self.timeout = timeout
        self.retries = retries
        self.via = via
        self.tcpPort = tcpPort
        self.icmpSocket = icmpSocket
        self.sendInterval = sendInterval
    }

    func validated() throws(NetworkError) -> ProbeOptions {
        guard timeout.isFinite, timeout > 0 else { throw .invalidOption("timeout must be a positive number of seconds") }
        guard retries >= 0, retries <= 100 else { throw .invalidOption("retries must be between 0 and 100") }
        guard sendInterval.isFinite, sendInterval >= 0 else { throw .invalidOption("send interval must not be negative") }
        if tcpPort == 0 { throw .invalidOption("tcp port must be between 1 and 65535") }
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

/// The outcome for one target: `{up=bool, rtt_ms=number?, error=string?}` in Lua.
public struct ProbeResult: Sendable, Equatable, CustomStringConvertible {
    /// Whether the target answered.
    public var up: Bool
    /// Round-trip time of the answer, in milliseconds.
    public var rttMilliseconds: Double?
    /// Why the target counts as down (no reply, unreachable, name does not resolve).
    public var error: String?
    /// True when the target could not be probed at all (e.g. its `via` address is not on
    /// this machine): not known to be down, so it must never count as offline.
    public var unknown: Bool

    /// A result as the sweep reports it.
    public init(up: Bool, rttMilliseconds: Double? = nil, error: String? = nil, unknown: Bool = false) {
        self.up = up
        self.rttMilliseconds = rttMilliseconds
        self.error = error
        self.unknown = unknown
    }

    /// The readable form, as the tools print it.
    public var description: String {
        if up {
            guard let rtt = rttMilliseconds else { return "up" }
            return "up \(ProbeResult.format(rtt)) ms"
        }
        return "down" + (error.map { " (\($0))" } ?? "")
    }

    static func format(_ milliseconds: Double) -> String {
        let thousandths = Int((milliseconds * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
