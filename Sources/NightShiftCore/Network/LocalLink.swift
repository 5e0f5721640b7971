import Glibc

/// Whether this machine can currently reach an address at all: a route exists and the NIC the
/// route leaves through has a link. A target that stayed silent (or "unreachable" because ARP
/// failed) behind a NIC without carrier tells nothing about the host: an unplugged NAS must not
/// decide that everybody is offline.
struct LocalLink {
    /// Interfaces by address, read once per sweep (getifaddrs is a netlink dump).
    private var interfaces: [(address: SocketAddress, name: String, flags: UInt32)]?

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
