import Glibc

/// ARP presence probing (`probe = "arp"`): a who-has request out of the NIC facing each target,
/// up when a reply comes from the target's address. Firewalls on the target (Windows drops
/// ICMP echo by default) do not filter ARP, since without it the host could not use IPv4 at all.
///
/// Hand-written over AF_PACKET/SOCK_DGRAM sockets (the kernel adds the Ethernet header): no
/// maintained Swift library sends ARP, and arping/nmap are programs, not libraries. One socket
/// per NIC serves every target behind it, so a sweep of N hosts is one timeout chain, like ICMP.
/// Needs CAP_NET_RAW (root, or `setcap cap_net_raw+ep nightshift`).
final class ARPTransport: ProbeTransport {
    private struct InterfaceSocket {
        let handle: SocketHandle
        let link: ARPLink
    }

    private let addresses: [SocketAddress]
    /// The way out per target, or why there is none (a local failure: the target is unknown).
    private var links: [Result<ARPLink, ARPUnavailable>] = []
    private var sockets: [Int32: InterfaceSocket] = [:]
    /// Interfaces whose socket could not be made, with the reason.
    private var unavailable: [Int32: String] = [:]
    /// Targets still waiting by their IPv4 bytes, with the realtime of the latest request.
    private var waiting: [[UInt8]: [(target: Int, sentAt: Double)]] = [:]
    private var drops = DropTally()
    var receiveDrops: UInt64 { drops.total }

    /// Finds each target's NIC (the kernel's route) and opens one packet socket per NIC. Throws
    /// `NetworkError.socketFailure` when packet sockets are not permitted at all (no CAP_NET_RAW).
    init(addresses: [SocketAddress], via: SocketAddress?) throws {
        self.addresses = addresses
        var local = LocalLink()
        links = addresses.map { local.arpLink(for: $0, from: via) }
        var perInterface: [Int32: (link: ARPLink, count: Int)] = [:]
        for case .success(let link) in links {
            perInterface[link.interfaceIndex] = (link, (perInterface[link.interfaceIndex]?.count ?? 0) + 1)
        }
        for (index, entry) in perInterface {
            do {
                sockets[index] = InterfaceSocket(handle: try Self.open(entry.link, targets: entry.count), link: entry.link)
            } catch let error as SocketCallError where error.errno == EPERM || error.errno == EACCES {
                throw NetworkError.socketFailure(operation: ARPPermission.remedy + "; "
                                                 + error.operation, errno: error.errno)
            } catch let error as SocketCallError {
                unavailable[index] = "cannot probe: ARP on \(entry.link.interfaceName): \(error.message)"
            }
        }
    }

    private static func open(_ link: ARPLink, targets: Int) throws -> SocketHandle {
        let handle = try SocketHandle(family: AF_PACKET, type: Int32(SOCK_DGRAM.rawValue),
                                      protocol: Int32(ARPMessage.etherType.bigEndian))
        try handle.setNonBlocking()
        // Receive only what arrives on this NIC, so a reply is matched to the link we asked on.
        var address = linkAddress(index: link.interfaceIndex, destination: nil)
        let status = address.withUnsafeMutableBytes {
            Glibc.bind(handle.fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard status == 0 else { throw SocketCallError(operation: "bind to \(link.interfaceName)", errno: errno) }
        let buffer = Int32(min(max(targets * 1024, 1 << 20), 32 << 20))
        if (try? handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soRcvBufForce, value: buffer)) == nil {
            try? handle.setOption(level: SOL_SOCKET, name: SO_RCVBUF, value: buffer)
        }
        try? handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soRxqOvfl, value: 1)
        try? handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soTimestampNS, value: 1)
        return handle
    }

    /// `struct sockaddr_ll` (20 bytes; Glibc does not export it): family, protocol (network
    /// order), interface index, hardware type, packet type, address length, address.
    private static func linkAddress(index: Int32, destination: [UInt8]?) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt16(AF_PACKET)) { bytes.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: ARPMessage.etherType.bigEndian) { bytes.replaceSubrange(2..<4, with: $0) }
        withUnsafeBytes(of: index) { bytes.replaceSubrange(4..<8, with: $0) }
        if let destination {
            bytes[11] = UInt8(destination.count)
            bytes.replaceSubrange(12..<(12 + destination.count), with: destination)
        }
        return bytes
    }

    func send(target: Int, now: Double) -> ProbeSendOutcome {
        let link: ARPLink
        switch links[target] {
        case .failure(let why): return .localFailure(why.reason)
        case .success(let found): link = found
        }
        guard let socket = sockets[link.interfaceIndex] else {
            return .localFailure(unavailable[link.interfaceIndex] ?? "no ARP socket for \(link.interfaceName)")
        }
        let targetIP = addresses[target].bytes
        let packet = ARPMessage.request(senderMAC: link.mac, senderIP: link.source, target: targetIP)
        // Broadcast, as the kernel's own first request is: the target's MAC is what we do not know.
        var destination = Self.linkAddress(index: link.interfaceIndex, destination: [UInt8](repeating: 0xFF, count: 6))
        let sentAt = NetSys.realtime()
        let sent = packet.withUnsafeBytes { bytes in
            destination.withUnsafeMutableBytes {
                sendto(socket.handle.fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL),
                       $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
        }
        if sent < 0 {
            let code = errno
            let text = NetSys.errorText(code).lowercased()
            if code == EAGAIN || code == ENOBUFS || code == EINTR { return .busy(text) }
            // ENETDOWN, ENXIO: the NIC is down or gone; nothing is known about the target.
            return .localFailure(text)
        }
        waiting[targetIP, default: []].removeAll { $0.target == target }
        waiting[targetIP, default: []].append((target, sentAt))
        return .sent
    }

    func pollDescriptors(now: Double) -> [pollfd] {
        sockets.values.map { pollfd(fd: $0.handle.fd, events: Int16(POLLIN), revents: 0) }
    }

    func handle(ready: [pollfd], now: Double) -> [ProbeEvent] {
        var events: [ProbeEvent] = []
        for descriptor in ready where descriptor.revents & Int16(POLLIN) != 0 {
            guard let socket = sockets.values.first(where: { $0.handle.fd == descriptor.fd }) else { continue }
            reading: for _ in 0..<4096 {
                let datagram: ReceivedDatagram
                switch socket.handle.receive() {
                case .empty: break reading
                case .failed: continue
                case .datagram(let received): datagram = received
                }
                drops.note(datagram, on: socket.handle.fd)
                guard let sender = ARPMessage.replySender(datagram.bytes), let entries = waiting[sender] else { continue }
                let received = datagram.kernelTime ?? NetSys.realtime()
                for entry in entries where links[entry.target] == .success(socket.link) {
                    events.append(.answered(target: entry.target, rttMilliseconds: max(0, (received - entry.sentAt) * 1000)))
                }
            }
        }
        return events
    }

    func retire(target: Int) {
        let ip = addresses[target].bytes
        waiting[ip]?.removeAll { $0.target == target }
        if waiting[ip]?.isEmpty == true { waiting[ip] = nil }
    }

}
