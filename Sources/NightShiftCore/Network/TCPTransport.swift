import Glibc

/// TCP connect probing (`tcp = PORT`): non-blocking connects under our own timeout, because the
/// kernel's SYN retries take minutes. Connected or refused means a host is there; silence or
/// "unreachable" means it is not; a connect that fails at once (no route, `via` not on any NIC,
/// a firewall rule) failed here, so the target is unknown. With `listening`, only an accepted
/// connection is up: a host that refuses is there, but the service it must run is not yet.
final class TCPTransport: ProbeTransport {
    private struct Attempt {
        let handle: SocketHandle
        let target: Int
        let startedAt: Double
        /// connect(2) was refused before poll: SO_ERROR then no longer holds the refusal.
        let refusedAtSend: Bool
    }

    private let addresses: [SocketAddress]
    private let via: SocketAddress?
    private let probeTimeout: Double
    private let listening: Bool
    private var attempts: [Int32: Attempt] = [:]
    let receiveDrops: UInt64 = 0

    init(addresses: [SocketAddress], port: UInt16, via: SocketAddress?, probeTimeout: Double, listening: Bool = false) {
        self.addresses = addresses.map { $0.with(port: port) }
        self.via = via
        self.probeTimeout = probeTimeout
        self.listening = listening
    }

    func send(target: Int, now: Double) -> ProbeSendOutcome {
        let address = addresses[target]
        let handle: SocketHandle
        do {
            handle = try SocketHandle(family: address.family, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
            try handle.setNonBlocking()
            if let via {
                guard via.family == address.family else {
                    return .localFailure("source address \(via.ip) is not an \(address.isIPv6 ? "IPv6" : "IPv4") address")
                }
                do { try handle.bind(to: via) } catch {
                    return .localFailure("cannot probe: " + NetworkError.invalidSourceAddress(
                        via.ip, reason: NetSys.errorText(error.errno)).description)
                }
            }
        } catch {
            if error.errno == EMFILE || error.errno == ENFILE || error.errno == ENOBUFS { return .busy(error.message) }
            return .localFailure(error.message)
        }
        let startedAt = NetSys.monotonic()
        let status = handle.connect(to: address)
        switch status {
        case 0, ECONNREFUSED, EINPROGRESS:
            attempts[handle.fd] = Attempt(handle: handle, target: target, startedAt: startedAt,
                                          refusedAtSend: status == ECONNREFUSED)
            return .sent
        case EAGAIN, ENOBUFS, EINTR:
            return .busy(NetSys.errorText(status).lowercased())
        default:
            // Decided before any packet left: our routing table, source address or firewall.
            return .localFailure(NetSys.errorText(status).lowercased())
        }
    }

    func pollDescriptors(now: Double) -> [pollfd] {
        // An attempt older than the probe timeout is abandoned; later attempts replace it.
        for (fd, attempt) in attempts where now - attempt.startedAt > probeTimeout {
            attempts[fd] = nil
        }
        return attempts.keys.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
    }

    func handle(ready: [pollfd], now: Double) -> [ProbeEvent] {
        var events: [ProbeEvent] = []
        for descriptor in ready {
            guard let attempt = attempts[descriptor.fd] else { continue }
            attempts[descriptor.fd] = nil
            let outcome = attempt.refusedAtSend ? ECONNREFUSED : attempt.handle.pendingError()
            let rtt = max(0, (NetSys.monotonic() - attempt.startedAt) * 1000)
            switch outcome {
            case ECONNREFUSED where listening:
                events.append(.unreachable(target: attempt.target, reason: "connection refused (nothing listens on the port yet)"))
            case 0, ECONNREFUSED:
                events.append(.answered(target: attempt.target, rttMilliseconds: rtt))
            default:
                events.append(.unreachable(target: attempt.target, reason: NetSys.errorText(outcome).lowercased()))
            }
        }
        return events
    }

    func retire(target: Int) {
        attempts = attempts.filter { $0.value.target != target }
    }
}
