import Glibc
import NightShiftBase

/// The netlink exchange of a route lookup (the message is built and parsed in NightShiftBase).
extension RouteLookup {
    /// Looks up the route to an IPv4 `destination`, from `source` when given; the errno text
    /// when the kernel has none (no route, unreachable or prohibit route, `source` not ours).
    static func route(to destination: [UInt8], from source: [UInt8]?) -> Result<RouteAnswer, RouteFailure> {
        guard let handle = try? SocketHandle(family: AF_NETLINK, type: Int32(SOCK_DGRAM.rawValue), protocol: netlinkRoute)
        else { return .failure(RouteFailure(errno: errno)) }
        // The kernel answers synchronously; the timeout only guards against a kernel that does not.
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        _ = setsockopt(handle.fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let sequence = UInt32.random(in: 1...UInt32.max)
        let message = requestMessage(destination: destination, source: source, sequence: sequence)
        // struct sockaddr_nl (Glibc does not export it): family, pad, pid 0 (the kernel), groups.
        var kernel = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: UInt16(AF_NETLINK)) { kernel.replaceSubrange(0..<2, with: $0) }
        let sent = message.withUnsafeBytes { bytes in
            kernel.withUnsafeMutableBytes {
                sendto(handle.fd, bytes.baseAddress, bytes.count, 0,
                       $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
        }
        guard sent == message.count else { return .failure(RouteFailure(errno: errno)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<8 {
            let count = buffer.withUnsafeMutableBytes { recv(handle.fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return .failure(RouteFailure(errno: count < 0 ? errno : EIO)) }
            if let answer = parse(Array(buffer[0..<count]), sequence: sequence) { return answer }
        }
        return .failure(RouteFailure(errno: EIO))
    }
}
