import Glibc

/// An IPv4 or IPv6 address with a port, convertible to the kernel's `sockaddr` forms.
struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// `AF_INET` or `AF_INET6`.
    let family: Int32
    /// 4 or 16 address bytes in network order.
    let bytes: [UInt8]
    var port: UInt16
    var scopeID: UInt32

    var isIPv6: Bool { family == AF_INET6 }

    /// Parses a numeric address ("10.0.0.1", "fd00::1", "fe80::1%eth0"); nil when it is not one.
    init?(numeric text: String, port: UInt16 = 0) {
        // inet_pton would read only up to a NUL: "10.0.0.1\0junk" is not an address.
        guard !text.utf8.contains(0) else { return nil }
        var host = text
        var scope: UInt32 = 0
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let percent = host.firstIndex(of: "%") {
            let name = String(host[host.index(after: percent)...])
            host = String(host[..<percent])
            scope = if_nametoindex(name)
            if scope == 0, let number = UInt32(name) { scope = number }
            if scope == 0 { return nil }
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            self.family = AF_INET
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, host, &v6) == 1 else { return nil }
            self.family = AF_INET6
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
        }
        self.port = port
        self.scopeID = scope
    }

    /// An IPv4 address from its 4 bytes in network order (ARP and netlink carry them bare).
    init?(rawIPv4 bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        self.family = AF_INET
        self.bytes = bytes
        self.port = 0
        self.scopeID = 0
    }

    /// Reads a `sockaddr_in`/`sockaddr_in6` the kernel filled in.
    init?(raw pointer: UnsafeRawPointer, length: Int) {
        let family = Int32(pointer.load(as: sa_family_t.self))
        if family == AF_INET, length >= MemoryLayout<sockaddr_in>.size {
            let sin = pointer.loadUnaligned(as: sockaddr_in.self)
            var address = sin.sin_addr
            self.family = AF_INET
            self.bytes = withUnsafeBytes(of: &address) { Array($0) }
            self.port = UInt16(bigEndian: sin.sin_port)
            self.scopeID = 0
        } else if family == AF_INET6, length >= MemoryLayout<sockaddr_in6>.size {
            let sin6 = pointer.loadUnaligned(as: sockaddr_in6.self)
            var address = sin6.sin6_addr
            self.family = AF_INET6
            self.bytes = withUnsafeBytes(of: &address) { Array($0) }
            self.port = UInt16(bigEndian: sin6.sin6_port)
            self.scopeID = sin6.sin6_scope_id
        } else {
            return nil
        }
    }

    /// The same address with another port.
    func with(port: UInt16) -> SocketAddress {
        var copy = self
        copy.port = port
        return copy
    }

    /// Whether two addresses name the same host (ports and scopes aside).
    func sameHost(as other: SocketAddress) -> Bool {
        family == other.family && bytes == other.bytes
    }

    /// Calls `body` with this address as a `sockaddr` pointer and its length.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        if family == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: bytes) }
            return try withUnsafePointer(to: &sin) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        sin6.sin6_scope_id = scopeID
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
        return try withUnsafePointer(to: &sin6) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }

    /// The numeric form, e.g. "10.0.0.1" or "fd00::1".
    var ip: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        bytes.withUnsafeBytes { raw in
            _ = inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return NetSys.string(fromCBuffer: buffer)
    }

    var description: String { isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
}
