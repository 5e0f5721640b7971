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

    /// These options after the checks every primitive shares (`OptionCheck`): throws an
    /// `OptionError` naming the field (`timeout`, `retries`, `via`, `tcp`).
    public func validated() throws(OptionError) -> ProbeOptions {
        _ = try OptionCheck.seconds(timeout, field: "timeout")
        _ = try OptionCheck.count(Int64(retries), field: "retries", in: OptionCheck.probeRetries)
        guard sendInterval.isFinite, sendInterval >= 0, sendInterval <= 1 else {
            throw OptionError(field: "send_interval", requirement: "must be between 0 and 1 second")
        }
        if let tcpPort { _ = try OptionCheck.port(Int64(tcpPort), field: "tcp") }
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

/// The outcome for one target: `{up=bool, rtt_ms=number?, error=string?}` in Lua.
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
        return (unknown ? "unknown" : "down") + (error.map { " (\($0))" } ?? "")
    }

    static func format(_ milliseconds: Double) -> String {
        let thousandths = Int((milliseconds * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
