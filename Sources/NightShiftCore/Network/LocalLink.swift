import Glibc

/// Whether this machine can currently reach an address at all: a route exists and the NIC the
/// route leaves through has a link. A target that stayed silent (or "unreachable" because ARP
/// failed) behind a NIC without carrier tells nothing about the host: an unplugged NAS must not
/// decide that everybody is offline.
struct LocalLink {
    /// Interfaces by address, read once per sweep (getifaddrs is a netlink dump).
    private var interfaces: [(address: SocketAddress, name: String, flags: UInt32)]?
    /// Link-layer entries by interface index, read once when an ARP probe needs them.
    private var links: [Int32: (name: String, flags: UInt32, mac: [UInt8])]?

    /// Why `address` cannot be reached from here, or nil when the way out looks fine.
    ///
    /// The kernel picks the route for a connected UDP socket without sending anything; the source
    /// address it chose names the NIC. (An address on one NIC used for a route through another is
    /// rare enough on a NAS that the approximation is worth not speaking netlink here.)
    mutating func problem(reaching address: SocketAddress, from via: SocketAddress?) -> String? {
        guard let handle = try? SocketHandle(family: address.family, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
        else { return nil }
        if let via {
            do { try handle.bind(to: via) } catch {
                return "cannot probe: invalid source address \"\(via.ip)\" (\(NetSys.errorText(error.errno)))"
            }
        }
        let status = handle.connect(to: address.with(port: 9))
        if status != 0 { return NetSys.errorText(status).lowercased() }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(handle.fd, $0, &length) }
        }
        guard named == 0,
              let source = withUnsafePointer(to: &storage, { SocketAddress(raw: UnsafeRawPointer($0), length: Int(length)) })
        else { return nil }
        if interfaces == nil { interfaces = Self.readInterfaces() }
        guard let (_, name, flags) = interfaces?.first(where: { $0.address.sameHost(as: source) }) else { return nil }
        if flags & UInt32(IFF_UP) == 0 { return "interface \(name) is down" }
        if flags & UInt32(IFF_RUNNING) == 0 { return "interface \(name) has no link (no carrier)" }
        return nil
    }

    /// Every interface address with its interface's name and flags.
    private static func readInterfaces() -> [(address: SocketAddress, name: String, flags: UInt32)] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var found: [(address: SocketAddress, name: String, flags: UInt32)] = []
        var entry = list
        while let current = entry {
            if let raw = current.pointee.ifa_addr,
               let address = SocketAddress(raw: UnsafeRawPointer(raw), length: MemoryLayout<sockaddr_in6>.size) {
                found.append((address, String(cString: current.pointee.ifa_name), current.pointee.ifa_flags))
            }
            entry = current.pointee.ifa_next
        }
        return found
    }
}

/// The NIC an ARP request for one target leaves through, with the addresses it carries.
struct ARPLink: Equatable {
    let interfaceIndex: Int32
    let interfaceName: String
    /// Our Ethernet address on that NIC (the request's sender hardware address).
    let mac: [UInt8]
    /// Our IPv4 address facing the target (the request's sender protocol address).
    let source: [UInt8]
}

extension LocalLink {
    /// How to ARP for `address`, or why it cannot be done: not IPv4, routed through a gateway
    /// (not on-link), an address of this machine, a NIC without ARP (loopback, tunnels), no route.
    /// "On-link" is the kernel's own route lookup, so a connected subnet and a host route
    /// `dev X` without a gateway both count, exactly as the kernel would ARP for them.
    mutating func arpLink(for address: SocketAddress, from via: SocketAddress?) -> Result<ARPLink, ARPUnavailable> {
        guard address.family == AF_INET else { return .failure(ARPUnavailable("ARP probes IPv4 addresses only")) }
        if let via, via.family != AF_INET {
            return .failure(ARPUnavailable("source address \(via.ip) is not an IPv4 address"))
        }
        let route: RouteAnswer
        switch RouteLookup.route(to: address.bytes, from: via?.bytes) {
        case .success(let answer): route = answer
        case .failure(let failure):
            if let via {
                if interfaces == nil { interfaces = Self.readInterfaces() }
                if interfaces?.contains(where: { $0.address.sameHost(as: via) }) != true {
                    return .failure(ARPUnavailable("cannot probe: invalid source address \"\(via.ip)\" (not an address of this machine)"))
                }
            }
            return .failure(ARPUnavailable(NetSys.errorText(failure.errno).lowercased()))
        }
        if route.type == RouteAnswer.local {
            return .failure(ARPUnavailable("\(address.ip) is an address of this machine (no ARP to itself)"))
        }
        guard route.type == RouteAnswer.unicast, let index = route.interfaceIndex else {
            return .failure(ARPUnavailable("no unicast route to \(address.ip) (route type \(route.type))"))
        }
        if let gateway = route.gateway {
            let hop = SocketAddress(rawIPv4: gateway)?.ip ?? "?"
            return .failure(ARPUnavailable("not on-link: \(address.ip) is routed through \(hop); ARP reaches only hosts on a local link"))
        }
        if links == nil { links = Self.readLinks() }
        guard let link = links?[index] else {
            return .failure(ARPUnavailable("the interface (index \(index)) toward \(address.ip) has no link-layer address"))
        }
        if link.flags & UInt32(IFF_LOOPBACK) != 0 || link.flags & UInt32(IFF_NOARP) != 0 || link.mac.count != 6 {
            return .failure(ARPUnavailable("interface \(link.name) does not use ARP"))
        }
        guard let source = via?.bytes ?? route.preferredSource else {
            return .failure(ARPUnavailable("interface \(link.name) has no IPv4 address to send ARP from"))
        }
        return .success(ARPLink(interfaceIndex: index, interfaceName: link.name, mac: link.mac, source: source))
    }

    /// Whether `address` is on a local link that ARP reaches (the `"auto"` probe adds ARP then).
    mutating func isOnLink(_ address: SocketAddress, from via: SocketAddress?) -> Bool {
        if case .success = arpLink(for: address, from: via) { return true }
        return false
    }

    /// Every interface's link-layer (AF_PACKET) entry: index -> name, flags, hardware address.
    static func readLinks() -> [Int32: (name: String, flags: UInt32, mac: [UInt8])] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [:] }
        defer { freeifaddrs(list) }
        var found: [Int32: (name: String, flags: UInt32, mac: [UInt8])] = [:]
        var entry = list
        while let current = entry {
            if let raw = current.pointee.ifa_addr, Int32(raw.pointee.sa_family) == AF_PACKET {
                // struct sockaddr_ll: family(2) protocol(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
                let bytes = UnsafeRawPointer(raw)
                let index = bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self)
                let length = min(Int(bytes.load(fromByteOffset: 11, as: UInt8.self)), 8)
                let mac = (0..<length).map { bytes.load(fromByteOffset: 12 + $0, as: UInt8.self) }
                found[index] = (String(cString: current.pointee.ifa_name), current.pointee.ifa_flags, mac)
            }
            entry = current.pointee.ifa_next
        }
        return found
    }
}

/// Why no ARP request can be made for a target (the target is then unknown, or `"auto"` skips ARP).
struct ARPUnavailable: Error, Equatable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
