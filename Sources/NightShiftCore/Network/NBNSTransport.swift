import Glibc

/// The second look at a host that answered ARP only: a NetBIOS node status request (UDP 137).
///
/// A Windows NIC answers ARP for its sleeping PC (NDIS offloads ARP, IPv6 neighbour solicitation
/// and Wi-Fi rekeying only), so an ARP answer alone cannot tell "on, firewalled" from "asleep".
/// Anything above ARP comes from the running system: a node status reply (Windows answers it when
/// network discovery or file sharing is allowed), or an ICMP port unreachable (a host that is on
/// and rejects the port). One UDP socket serves every target, like the ICMP sweep, so asking a
/// thousand hosts is one timeout chain; replies are matched by transaction ID and source.
final class NBNSTransport: ProbeTransport {
    private struct Outstanding {
        let target: Int
        let sentAt: Double
    }

    private let addresses: [SocketAddress]
    private let handle: SocketHandle?
    /// Why there is no socket (a local failure: the targets are unknown).
    private let unavailable: String?
    private var nextID = UInt16.random(in: 0...UInt16.max)
    private var outstanding: [UInt16: Outstanding] = [:]
    private var drops = DropTally()
    var receiveDrops: UInt64 { drops.total }

    /// Opens the socket, bound to `via` when given. IPv4 only: NetBIOS over TCP/IP is IPv4.
    init(addresses: [SocketAddress], via: SocketAddress?) {
        self.addresses = addresses.map { $0.with(port: NBNSMessage.port) }
        do {
            let handle = try SocketHandle(family: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
            try handle.setNonBlocking()
            // ICMP errors (port unreachable: the host is on) arrive on the error queue.
            try handle.setOption(level: Int32(IPPROTO_IP), name: LinuxSocketConstants.ipRecvErr, value: 1)
            try? handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soRxqOvfl, value: 1)
            try? handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soTimestampNS, value: 1)
            if let via { try handle.bind(to: via.with(port: 0)) }
            self.handle = handle
            unavailable = nil
        } catch {
            handle = nil
            unavailable = "cannot probe: NetBIOS: \(error.message)"
        }
    }

    func send(target: Int, now: Double) -> ProbeSendOutcome {
        guard let handle else { return .localFailure(unavailable ?? "no NetBIOS socket") }
        let address = addresses[target]
        guard !address.isIPv6 else { return .localFailure("NetBIOS is IPv4 only") }
        let id = nextID
        nextID &+= 1
        let sentAt = NetSys.realtime()
        if let code = handle.send(NBNSMessage.nodeStatusRequest(transactionID: id), to: address) {
            let text = NetSys.errorText(code).lowercased()
            if code == EAGAIN || code == ENOBUFS || code == EINTR { return .busy(text) }
            return .localFailure(text)
        }
        outstanding[id] = Outstanding(target: target, sentAt: sentAt)
        return .sent
    }

    func pollDescriptors(now: Double) -> [pollfd] {
        handle.map { [pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0)] } ?? []
    }

    func handle(ready: [pollfd], now: Double) -> [ProbeEvent] {
        guard let handle else { return [] }
        var events: [ProbeEvent] = []
        for descriptor in ready where descriptor.fd == handle.fd {
            if descriptor.revents & Int16(POLLERR) != 0 { drainErrorQueue(handle, into: &events) }
            if descriptor.revents & Int16(POLLIN) != 0 { drainReplies(handle, into: &events) }
        }
        return events
    }

    func retire(target: Int) {
        outstanding = outstanding.filter { $0.value.target != target }
    }

    private func drainReplies(_ handle: SocketHandle, into events: inout [ProbeEvent]) {
        for _ in 0..<4096 {
            let datagram: ReceivedDatagram
            switch handle.receive() {
            case .empty: return
            case .failed: continue
            case .datagram(let received): datagram = received
            }
            drops.note(datagram, on: handle.fd)
            guard let id = NBNSMessage.transactionID(datagram.bytes), let entry = outstanding[id],
                  let source = datagram.source, source.sameHost(as: addresses[entry.target]),
                  NBNSMessage.nodeStatus(datagram.bytes, transactionID: id) != nil else { continue }
            let received = datagram.kernelTime ?? NetSys.realtime()
            events.append(.answered(target: entry.target, rttMilliseconds: max(0, (received - entry.sentAt) * 1000)))
        }
    }

    /// A port unreachable sent by the target itself means its IP stack runs: it is on.
    /// Other errors (a router's "host unreachable") leave the target to its timeout.
    private func drainErrorQueue(_ handle: SocketHandle, into events: inout [ProbeEvent]) {
        for _ in 0..<4096 {
            guard case .datagram(let entry) = handle.receive(errorQueue: true) else { return }
            guard let failure = entry.extendedError, failure.origin == LinuxSocketConstants.originICMP,
                  failure.type == 3, failure.code == 3,
                  let id = NBNSMessage.transactionID(entry.bytes), let probe = outstanding[id],
                  let offender = failure.offender, offender.sameHost(as: addresses[probe.target]) else { continue }
            events.append(.answered(target: probe.target,
                                    rttMilliseconds: max(0, (NetSys.realtime() - probe.sentAt) * 1000)))
        }
    }
}
