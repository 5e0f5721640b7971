import Glibc

/// Socket option numbers from Linux headers the Glibc module does not export.
enum LinuxSocketConstants {
    static let ipRecvErr: Int32 = 11          // IP_RECVERR, <linux/in.h>
    static let ipv6RecvErr: Int32 = 25        // IPV6_RECVERR, <linux/in6.h>
    static let icmp6Filter: Int32 = 1         // ICMP6_FILTER, <netinet/icmp6.h>
    static let soTimestampNS: Int32 = 35      // SO_TIMESTAMPNS (== SCM_TIMESTAMPNS) on 64-bit Linux
    static let originICMP: UInt8 = 2          // SO_EE_ORIGIN_ICMP
    static let originICMP6: UInt8 = 3         // SO_EE_ORIGIN_ICMP6
    static let soRxqOvfl: Int32 = 40          // SO_RXQ_OVFL, <asm-generic/socket.h>
    static let soRcvBufForce: Int32 = 33      // SO_RCVBUFFORCE
    static let solRaw: Int32 = 255            // SOL_RAW
    static let icmpFilter: Int32 = 1          // ICMP_FILTER, <linux/icmp.h>
}

/// `struct sock_extended_err` from an IP_RECVERR/IPV6_RECVERR control message.
struct ExtendedSocketError {
    let errno: Int32
    let origin: UInt8
    let type: UInt8
    let code: UInt8
    /// The host that reported the error (a router, or the target itself), when the kernel says.
    let offender: SocketAddress?
}

/// One datagram (or error-queue entry) read with `recvmsg`, with the control messages we ask for.
struct ReceivedDatagram {
    let bytes: [UInt8]
    let source: SocketAddress?
    /// When the kernel received it (CLOCK_REALTIME seconds), from SO_TIMESTAMPNS.
    let kernelTime: Double?
    let extendedError: ExtendedSocketError?
    /// The socket's running count of datagrams dropped for want of buffer space (SO_RXQ_OVFL).
    var drops: UInt32? = nil
}

/// Owns one socket descriptor and closes it when released.
final class SocketHandle {
    let fd: Int32
    let family: Int32

    /// Opens a socket; throws the errno on failure.
    init(family: Int32, type: Int32, protocol proto: Int32) throws(SocketCallError) {
        let descriptor = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), proto)
        guard descriptor >= 0 else { throw SocketCallError(operation: "socket", errno: errno) }
        fd = descriptor
        self.family = family
    }

    deinit { close(fd) }

    func setNonBlocking() throws(SocketCallError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw SocketCallError(operation: "fcntl(O_NONBLOCK)", errno: errno)
        }
    }

    func setOption(level: Int32, name: Int32, value: Int32) throws(SocketCallError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketCallError(operation: "setsockopt(\(level), \(name))", errno: errno)
        }
    }

    func setOption(level: Int32, name: Int32, bytes: [UInt8]) throws(SocketCallError) {
        let status = bytes.withUnsafeBytes { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
        guard status == 0 else { throw SocketCallError(operation: "setsockopt(\(level), \(name))", errno: errno) }
    }

    /// SO_BINDTODEVICE: send and receive only through the named interface.
    func bind(toDevice name: String) throws(SocketCallError) {
        // The kernel reads the name up to its NUL: "eth0\0x" must not quietly mean eth0.
        guard !name.utf8.contains(0) else { throw SocketCallError(operation: "SO_BINDTODEVICE", errno: EINVAL) }
        do {
            try setOption(level: SOL_SOCKET, name: SO_BINDTODEVICE, bytes: Array(name.utf8) + [0])
        } catch {
            throw SocketCallError(operation: "SO_BINDTODEVICE \"\(name)\"", errno: error.errno)
        }
    }

    func bind(to address: SocketAddress) throws(SocketCallError) {
        let status = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard status == 0 else { throw SocketCallError(operation: "bind \(address.ip)", errno: errno) }
    }

    /// Starts a connect; returns 0 or the errno (EINPROGRESS for a non-blocking socket in flight).
    func connect(to address: SocketAddress) -> Int32 {
        let status = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        return status == 0 ? 0 : errno
    }

    /// Sends one datagram; returns nil or the errno.
    func send(_ bytes: [UInt8], to address: SocketAddress?) -> Int32? {
        let sent: Int = bytes.withUnsafeBytes { buffer in
            guard let address else { return Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
            return address.withSockaddr {
                sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, $1)
            }
        }
        return sent < 0 ? errno : nil
    }

    /// The pending error of a socket (SO_ERROR), e.g. the outcome of a non-blocking connect.
    func pendingError() -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
        return value
    }

    /// Reads one datagram, or one error-queue entry with `errorQueue`; nil when nothing is waiting.
    /// Errors other than "would block" are skipped: with IP_RECVERR the kernel may report a
    /// stale ICMP error once through a plain read, and that must not end the receive loop.
    func receive(errorQueue: Bool = false, capacity: Int = 2048) -> ReceiveOutcome {
        var data = [UInt8](repeating: 0, count: capacity)
        var control = [UInt64](repeating: 0, count: 64)
        var name = sockaddr_storage()
        let flags = Int32(MSG_DONTWAIT) | (errorQueue ? Int32(MSG_ERRQUEUE) : 0)
        let (count, nameLength, controlLength): (Int, Int, Int) = data.withUnsafeMutableBytes { dataBuffer in
            control.withUnsafeMutableBytes { controlBuffer in
                withUnsafeMutablePointer(to: &name) { namePointer in
                    var vector = iovec(iov_base: dataBuffer.baseAddress, iov_len: dataBuffer.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(namePointer)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBuffer.baseAddress
                        message.msg_controllen = controlBuffer.count
                        let received = Syscall.retryingInterrupts { recvmsg(fd, &message, flags) }
                        return (received, Int(message.msg_namelen), Int(message.msg_controllen))
                    }
                }
            }
        }
        if count < 0 {
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { return .empty }
            return .failed(code)
        }
        let source = withUnsafePointer(to: &name) { SocketAddress(raw: UnsafeRawPointer($0), length: nameLength) }
        var kernelTime: Double?
        var extended: ExtendedSocketError?
        var drops: UInt32?
        control.withUnsafeBytes { raw in
            ControlMessages.forEach(in: raw, length: controlLength) { level, type, payload in
                if level == SOL_SOCKET, type == LinuxSocketConstants.soTimestampNS,
                   payload.count >= MemoryLayout<timespec>.size {
                    let stamp = payload.loadUnaligned(as: timespec.self)
                    kernelTime = Double(stamp.tv_sec) + Double(stamp.tv_nsec) / 1e9
                } else if level == SOL_SOCKET, type == LinuxSocketConstants.soRxqOvfl, payload.count >= 4 {
                    drops = payload.loadUnaligned(as: UInt32.self)
                } else if (level == Int32(IPPROTO_IP) && type == LinuxSocketConstants.ipRecvErr)
                            || (level == Int32(IPPROTO_IPV6) && type == LinuxSocketConstants.ipv6RecvErr),
                          payload.count >= 16 {
                    let offender = payload.count > 16
                        ? SocketAddress(raw: payload.baseAddress! + 16, length: payload.count - 16) : nil
                    extended = ExtendedSocketError(
                        errno: Int32(bitPattern: payload.loadUnaligned(fromByteOffset: 0, as: UInt32.self)),
                        origin: payload[4], type: payload[5], code: payload[6],
                        offender: offender.flatMap { $0.bytes.allSatisfy { $0 == 0 } ? nil : $0 })
                }
            }
        }
        return .datagram(ReceivedDatagram(
            bytes: Array(data[0..<min(count, capacity)]), source: source,
            kernelTime: kernelTime, extendedError: extended, drops: drops))
    }
}

/// The result of one non-blocking read.
enum ReceiveOutcome {
    case datagram(ReceivedDatagram)
    case empty
    case failed(Int32)
}

/// A failed socket system call and its errno.
struct SocketCallError: Error {
    let operation: String
    let errno: Int32

    var message: String { "\(operation): \(NetSys.errorText(errno))" }
}

/// Walks `cmsghdr` records by hand: the CMSG_* macros are not importable into Swift.
enum ControlMessages {
    static func forEach(
        in buffer: UnsafeRawBufferPointer, length: Int,
        _ body: (_ level: Int32, _ type: Int32, _ payload: UnsafeRawBufferPointer) -> Void
    ) {
        let headerSize = MemoryLayout<cmsghdr>.size
        let alignment = MemoryLayout<Int>.size
        var offset = 0
        let limit = min(length, buffer.count)
        while offset + headerSize <= limit {
            let header = buffer.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
            let recordLength = Int(header.cmsg_len)
            guard recordLength >= headerSize, offset + recordLength <= limit else { return }
            let payload = UnsafeRawBufferPointer(rebasing: buffer[(offset + headerSize)..<(offset + recordLength)])
            body(header.cmsg_level, header.cmsg_type, payload)
            offset += (recordLength + alignment - 1) & ~(alignment - 1)
        }
    }
}
