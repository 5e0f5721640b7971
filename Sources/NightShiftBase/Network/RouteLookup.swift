import Glibc

/// The kernel's answer to "how would a packet to this IPv4 address leave?" (`ip route get`).
package struct RouteAnswer: Equatable {
    /// RTN_* of the route: unicast, local (an address of this machine), broadcast, ...
    package let type: UInt8
    /// The interface the packet leaves through (RTA_OIF).
    package let interfaceIndex: Int32?
    /// The next hop when the target is not on the link itself (RTA_GATEWAY).
    package let gateway: [UInt8]?
    /// The source address the kernel would pick (RTA_PREFSRC).
    package let preferredSource: [UInt8]?

    package static let unicast: UInt8 = 1   // RTN_UNICAST
    package static let local: UInt8 = 2     // RTN_LOCAL

    package init(type: UInt8, interfaceIndex: Int32?, gateway: [UInt8]?, preferredSource: [UInt8]?) {
        self.type = type
        self.interfaceIndex = interfaceIndex
        self.gateway = gateway
        self.preferredSource = preferredSource
    }
}

/// One RTM_GETROUTE request over a netlink socket: the same lookup `ip route get DST [from SRC]`
/// makes, so "on-link" means exactly what the kernel will do (a connected subnet, or a host
/// route `dev X` without a gateway as in the lab), not a guess from interface netmasks.
/// Hand-written: the message is three fixed structures, and no maintained Swift package speaks
/// rtnetlink (the C libraries, libnl and libmnl, would be a dependency for 60 lines).
/// The message and the answer are here; the socket exchange is Core's (`RouteLookup+Netlink`).
package enum RouteLookup {
    // <linux/netlink.h>, <linux/rtnetlink.h>
    package static let netlinkRoute: Int32 = 0        // NETLINK_ROUTE
    private static let getRoute: UInt16 = 26          // RTM_GETROUTE
    private static let newRoute: UInt16 = 24          // RTM_NEWROUTE
    private static let errorMessage: UInt16 = 2       // NLMSG_ERROR
    private static let request: UInt16 = 1            // NLM_F_REQUEST
    private static let attributeDestination: UInt16 = 1   // RTA_DST
    private static let attributeSource: UInt16 = 2        // RTA_SRC
    private static let attributeOutputInterface: UInt16 = 4 // RTA_OIF
    private static let attributeGateway: UInt16 = 5       // RTA_GATEWAY
    private static let attributePreferredSource: UInt16 = 7 // RTA_PREFSRC

    /// nlmsghdr + rtmsg + RTA_DST (+ RTA_SRC), host byte order as netlink wants.
    package static func requestMessage(destination: [UInt8], source: [UInt8]?, sequence: UInt32) -> [UInt8] {
        var body: [UInt8] = [UInt8(AF_INET), 32, source == nil ? 0 : 32, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        func attribute(_ type: UInt16, _ value: [UInt8]) {
            body += hostOrder(UInt16(4 + value.count)) + hostOrder(type) + value
        }
        attribute(attributeDestination, destination)
        if let source { attribute(attributeSource, source) }
        let length = UInt32(16 + body.count)
        return hostOrder(length) + hostOrder(getRoute) + hostOrder(request)
            + hostOrder(sequence) + hostOrder(UInt32(0)) + body
    }

    /// The route in a reply, its error, or nil when the message is not the answer to `sequence`.
    package static func parse(_ bytes: [UInt8], sequence: UInt32) -> Result<RouteAnswer, RouteFailure>? {
        var offset = 0
        while offset + 16 <= bytes.count {
            let length = Int(read32(bytes, offset))
            let type = read16(bytes, offset + 4)
            guard length >= 16, offset + length <= bytes.count else { return nil }
            defer { offset += (length + 3) & ~3 }
            guard read32(bytes, offset + 8) == sequence else { continue }
            if type == errorMessage, length >= 20 {
                // A negative errno; anything else (0 is an ACK, Int32.min cannot be negated) is EIO.
                let code = Int32(bitPattern: read32(bytes, offset + 16))
                return .failure(RouteFailure(errno: (-4095 ... -1).contains(code) ? -code : EIO))
            }
            guard type == newRoute, length >= 28 else { continue }
            let routeType = bytes[offset + 16 + 7]
            var interface: Int32?
            var gateway: [UInt8]?
            var preferred: [UInt8]?
            var cursor = offset + 28
            while cursor + 4 <= offset + length {
                let attributeLength = Int(read16(bytes, cursor))
                let attributeType = read16(bytes, cursor + 2) & 0x3FFF
                guard attributeLength >= 4, cursor + attributeLength <= offset + length else { break }
                let value = Array(bytes[(cursor + 4)..<(cursor + attributeLength)])
                switch attributeType {
                case attributeOutputInterface where value.count == 4:
                    interface = Int32(bitPattern: read32(value, 0))
                case attributeGateway where value.count == 4: gateway = value
                case attributePreferredSource where value.count == 4: preferred = value
                default: break
                }
                cursor += (attributeLength + 3) & ~3
            }
            return .success(RouteAnswer(type: routeType, interfaceIndex: interface, gateway: gateway,
                                        preferredSource: preferred))
        }
        return nil
    }

    private static func hostOrder<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    private static func read16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
    }

    private static func read32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    }
}

/// The kernel has no usable route: its errno (ENETUNREACH, EHOSTUNREACH, EACCES, EINVAL, ...).
package struct RouteFailure: Error, Equatable {
    package let errno: Int32

    package init(errno: Int32) { self.errno = errno }
}
