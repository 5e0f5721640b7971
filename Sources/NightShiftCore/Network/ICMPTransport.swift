import Glibc

/// ICMP echo probing in fping's manner: one socket per address family for all targets,
/// replies matched by identifier and sequence. Hand-written because no Swift (or Linux C)
/// library offers a concurrent, unprivileged-capable ICMP sweep; fping is a program, not a library.
final class ICMPTransport: ProbeTransport {
    private struct FamilySocket {
        let handle: SocketHandle
        let datagram: Bool
        let ipv6: Bool
    }

    private struct Outstanding {
        let target: Int
        let sentAtRealtime: Double
    }

    private let addresses: [SocketAddress]
    private var sockets: [Int32: FamilySocket] = [:]
    /// Families whose socket could not be made for a reason that concerns only their targets.
    private var unavailable: [Int32: String] = [:]
    private let identifier = UInt16.random(in: 1...UInt16.max)
    private var nextSequence = UInt16.random(in: 0...UInt16.max)
    private var outstanding: [UInt16: Outstanding] = [:]
    /// Sequences in flight per target, so deciding one target does not scan every probe.
    private var sequencesOf: [Int: [UInt16]] = [:]
    private var drops = DropTally()
    var receiveDrops: UInt64 { drops.total }

    /// Opens the sockets the targets need. Throws when ICMP is not permitted at all; a `via`
    /// that cannot be bound makes that family's targets unknown instead.
    init(addresses: [SocketAddress], kind: ICMPSocketKind, via: SocketAddress?) throws {
        self.addresses = addresses
        for family in Set(addresses.map(\.family)) {
            if let via, via.family != family {
                unavailable[family] = "source address \(via.ip) is not an \(family == AF_INET6 ? "IPv6" : "IPv4") address"
                continue
            }
            do {
                sockets[family] = try Self.open(family: family, kind: kind, via: via,
                                                targets: addresses.count { $0.family == family })
            } catch let failure as FamilyUnavailable {
                unavailable[family] = failure.reason
            }
        }
    }

    private struct FamilyUnavailable: Error { let reason: String }

    private static func open(family: Int32, kind: ICMPSocketKind, via: SocketAddress?, targets: Int) throws -> FamilySocket {
        let ipv6 = family == AF_INET6
        let proto = ipv6 ? Int32(IPPROTO_ICMPV6) : Int32(IPPROTO_ICMP)
        let familyName = ipv6 ? "ICMPv6" : "ICMP"
        var datagramError: Int32 = 0
        var rawError: Int32 = 0
        var handle: SocketHandle?
        var datagram = false
        if kind != .raw {
            do {
                handle = try SocketHandle(family: family, type: Int32(SOCK_DGRAM.rawValue), protocol: proto)
                datagram = true
            } catch { datagramError = error.errno }
        }
        if handle == nil, kind != .datagram {
            do {
                handle = try SocketHandle(family: family, type: Int32(SOCK_RAW.rawValue), protocol: proto)
            } catch { rawError = error.errno }
        }
        guard let handle else {
            let code = datagramError != 0 ? datagramError : rawError
            if code == EAFNOSUPPORT { throw FamilyUnavailable(reason: "IPv6 is not available on this machine") }
            throw NetworkError.icmpSocketUnavailable(
                family: familyName,
                detail: permissionAdvice(kind: kind, datagramError: datagramError, rawError: rawError))
        }
        do {
            try handle.setNonBlocking()
            try handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soTimestampNS, value: 1)
            // Errors (unreachable, failed ARP/ND) arrive on the error queue: down at once, not at timeout.
            if ipv6 {
                try handle.setOption(level: Int32(IPPROTO_IPV6), name: LinuxSocketConstants.ipv6RecvErr, value: 1)
            } else {
                try handle.setOption(level: Int32(IPPROTO_IP), name: LinuxSocketConstants.ipRecvErr, value: 1)
            }
            if ipv6, !datagram {
                try handle.setOption(level: Int32(IPPROTO_ICMPV6), name: LinuxSocketConstants.icmp6Filter,
                                     bytes: icmp6Filter(passing: [1, 3, 129]))
            }
            if !ipv6, !datagram {
                // A raw socket sees every ICMP message of the host, our own looped-back echo
                // requests included: keep only replies and errors, so they have the buffer.
                try? handle.setOption(level: LinuxSocketConstants.solRaw, name: LinuxSocketConstants.icmpFilter,
                                      value: Int32(bitPattern: ~UInt32(1 << 0 | 1 << 3 | 1 << 11 | 1 << 12)))
            }
            // Room for the replies of every target arriving together (about 1 KiB of kernel
            // memory each); as root past net.core.rmem_max. The scheduler also reads while it
            // sends, and SO_RXQ_OVFL tells it when a reply was dropped anyway.
            let buffer = Int32(min(max(targets * 1024, 1 << 20), 32 << 20))
            if (try? handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soRcvBufForce, value: buffer)) == nil {
                try? handle.setOption(level: SOL_SOCKET, name: SO_RCVBUF, value: buffer)
            }
            try? handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soRxqOvfl, value: 1)
            if let via {
                do { try handle.bind(to: via) } catch {
                    throw FamilyUnavailable(reason: "cannot probe: " + NetworkError.invalidSourceAddress(
                        via.ip, reason: NetSys.errorText(error.errno)).description)
                }
            }
        } catch let error as FamilyUnavailable {
            throw error
        } catch let error as SocketCallError {
            throw NetworkError.socketFailure(operation: error.operation, errno: error.errno)
        }
        return FamilySocket(handle: handle, datagram: datagram, ipv6: ipv6)
    }

    /// The message for "no ICMP socket": names the sysctl and the capability that would allow one.
    private static func permissionAdvice(kind: ICMPSocketKind, datagramError: Int32, rawError: Int32) -> String {
        let range = NetSys.readSmallFile("/proc/sys/net/ipv4/ping_group_range")?
            .split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? "unknown"
        var parts: [String] = []
        if kind != .raw {
            parts.append("unprivileged ICMP was refused (\(NetSys.errorText(datagramError))): group \(getegid()) "
                + "is outside sysctl net.ipv4.ping_group_range = \"\(range)\"")
        }
        if kind != .datagram {
            parts.append("a raw socket was refused (\(NetSys.errorText(rawError))): it needs CAP_NET_RAW")
        }
        return parts.joined(separator: "; ")
            + "; allow one with `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` or `setcap cap_net_raw+ep nightshift`"
    }

    /// `struct icmp6_filter`: eight 32-bit words, a set bit blocks that type.
    private static func icmp6Filter(passing types: [UInt8]) -> [UInt8] {
        var words = [UInt32](repeating: UInt32.max, count: 8)
        for type in types { words[Int(type >> 5)] &= ~(UInt32(1) << UInt32(type & 31)) }
        return words.withUnsafeBytes { Array($0) }
    }

    func send(target: Int, now: Double) -> ProbeSendOutcome {
        let address = addresses[target]
        guard let socket = sockets[address.family] else {
            return .localFailure(unavailable[address.family] ?? "no socket for this address family")
        }
        let sequence = nextSequence
        nextSequence &+= 1
        let packet = ICMPMessage.echoRequest(ipv6: socket.ipv6, identifier: identifier, sequence: sequence)
        let sentAt = NetSys.realtime()
        if let code = socket.handle.send(packet, to: address.with(port: 0)) {
            let text = NetSys.errorText(code).lowercased()
            if code == EAGAIN || code == ENOBUFS || code == EINTR { return .busy(text) }
            // sendto fails only for reasons of this machine (route, source, firewall, NIC).
            return .localFailure(text)
        }
        if let old = outstanding[sequence] { sequencesOf[old.target]?.removeAll { $0 == sequence } }
        outstanding[sequence] = Outstanding(target: target, sentAtRealtime: sentAt)
        sequencesOf[target, default: []].append(sequence)
        return .sent
    }

    func pollDescriptors(now: Double) -> [pollfd] {
        sockets.values.map { pollfd(fd: $0.handle.fd, events: Int16(POLLIN), revents: 0) }
    }

    func handle(ready: [pollfd], now: Double) -> [ProbeEvent] {
        var events: [ProbeEvent] = []
        for descriptor in ready {
            guard let socket = sockets.values.first(where: { $0.handle.fd == descriptor.fd }) else { continue }
            if descriptor.revents & Int16(POLLERR) != 0 { drainErrorQueue(socket, into: &events) }
            if descriptor.revents & Int16(POLLIN) != 0 { drainReplies(socket, into: &events) }
        }
        return events
    }

    func retire(target: Int) {
        for sequence in sequencesOf.removeValue(forKey: target) ?? [] where outstanding[sequence]?.target == target {
            outstanding[sequence] = nil
        }
    }


    private func drainReplies(_ socket: FamilySocket, into events: inout [ProbeEvent]) {
        for _ in 0..<4096 {
            let datagram: ReceivedDatagram
            switch socket.handle.receive() {
            case .empty: return
            case .failed: continue
            case .datagram(let received): datagram = received
            }
            drops.note(datagram, on: socket.handle.fd)
            let parsed = ICMPMessage.parse(datagram.bytes, ipv6: socket.ipv6,
                                           includesIPHeader: !socket.ipv6 && !socket.datagram)
            switch parsed {
            case let .echoReply(identifier, sequence):
                // A datagram socket's identifier is rewritten by the kernel, which already demultiplexes.
                guard socket.datagram || identifier == self.identifier,
                      let entry = outstanding[sequence],
                      let source = datagram.source, source.sameHost(as: addresses[entry.target]) else { continue }
                let received = datagram.kernelTime ?? NetSys.realtime()
                events.append(.answered(target: entry.target,
                                        rttMilliseconds: max(0, (received - entry.sentAtRealtime) * 1000)))
            case let .error(type, code, destination, identifier, sequence):
                guard socket.datagram || identifier == self.identifier,
                      let entry = outstanding[sequence],
                      destination == addresses[entry.target].bytes else { continue }
                let reporter = datagram.source.map { " from \($0.ip)" } ?? ""
                events.append(.unreachable(
                    target: entry.target,
                    reason: ICMPMessage.describe(type: type, code: code, ipv6: socket.ipv6) + reporter))
            case nil:
                continue
            }
        }
    }

    /// IP_RECVERR entries: ICMP errors for datagram sockets, and local failures (ARP/ND gave up).
    private func drainErrorQueue(_ socket: FamilySocket, into events: inout [ProbeEvent]) {
        for _ in 0..<4096 {
            guard case .datagram(let entry) = socket.handle.receive(errorQueue: true) else { return }
            guard let failure = entry.extendedError,
                  let request = ICMPMessage.parseOwnRequest(entry.bytes, ipv6: socket.ipv6),
                  socket.datagram || request.identifier == identifier,
                  let probe = outstanding[request.sequence] else { continue }
            if let destination = entry.source, !destination.sameHost(as: addresses[probe.target]) { continue }
            let reason: String
            if failure.origin == LinuxSocketConstants.originICMP || failure.origin == LinuxSocketConstants.originICMP6 {
                let reporter = failure.offender.map { " from \($0.ip)" } ?? ""
                reason = ICMPMessage.describe(type: failure.type, code: failure.code, ipv6: socket.ipv6) + reporter
            } else {
                reason = NetSys.errorText(failure.errno).lowercased()
            }
            events.append(.unreachable(target: probe.target, reason: reason))
        }
    }
}
