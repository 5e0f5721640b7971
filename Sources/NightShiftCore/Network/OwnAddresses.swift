import Glibc

/// This machine's own addresses (every interface's, getifaddrs), to recognise the inventory
/// entry that is this machine when a script does not name it in `self`.
public enum OwnAddresses {
    /// True when `text` is a numeric IPv4/IPv6 address one of this machine's interfaces
    /// has now. Host names are not resolved: a name may point anywhere, an address may not.
    public static func contains(_ text: String) -> Bool {
        guard let wanted = SocketAddress(numeric: text) else { return false }
        return current().contains { $0.sameHost(as: wanted) }
    }

    /// Every address of every interface (loopback too: `127.0.0.1` is this machine).
    static func current() -> [SocketAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var found: [SocketAddress] = []
        var entry = list
        while let current = entry {
            if let raw = current.pointee.ifa_addr {
                let family = Int32(raw.pointee.sa_family)
                let length = family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size
                if family == AF_INET || family == AF_INET6,
                   let address = SocketAddress(raw: UnsafeRawPointer(raw), length: length) {
                    found.append(address)
                }
            }
            entry = current.pointee.ifa_next
        }
        return found
    }
}
