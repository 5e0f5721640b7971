import Foundation
import Glibc
@testable import NightShiftCore
import Synchronization

/// A small SNTP server written for the tests: real UDP, its clock skewed on purpose, or
/// misbehaving in one chosen way, so the client's arithmetic and validation can be checked.
final class TestSNTPServer: Sendable {
    /// How the server answers.
    enum Behaviour: Sendable {
        case skewed(Double)
        case kissOfDeath(String)
        case leapUnsynchronized
        case wrongMode
        case wrongOriginate
        /// Answers as a clock that reads this Unix time (a dead RTC, a clock decades ahead).
        case reads(Double)
        /// Answers with these raw NTP seconds (0: an unset clock's 1900-01-01).
        case rawSeconds(UInt32)
    }

    let port: UInt16
    private let fd: Int32
    private let behaviour: Behaviour
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Binds `address:port` (in the calling thread's namespace) and starts answering.
    init(address: String = "127.0.0.1", port: UInt16 = 0, behaviour: Behaviour) throws {
        self.behaviour = behaviour
        guard let bindAddress = SocketAddress(numeric: address, port: port) else {
            throw TestNetworkError("bad address \(address)")
        }
        let descriptor = socket(bindAddress.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestNetworkError("socket: \(String(cString: strerror(errno)))") }
        let bound = bindAddress.withSockaddr { bind(descriptor, $0, $1) }
        guard bound == 0 else {
            close(descriptor)
            throw TestNetworkError("bind \(address):\(port): \(String(cString: strerror(errno)))")
        }
        fd = descriptor
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = withUnsafePointer(to: &storage) {
            SocketAddress(raw: UnsafeRawPointer($0), length: Int(length))?.port ?? port
        }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops the server and closes its socket.
    func stop() {
        let first = stopped.withLock { old in
            defer { old = true }
            return !old
        }
        guard first else { return }
        finished.wait()
        close(fd)
    }

    deinit { stop() }

    private func serve() {
        defer { finished.signal() }
        var buffer = [UInt8](repeating: 0, count: 512)
        while !stopped.withLock({ $0 }) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &peerLength)
                    }
                }
            }
            let receivedAt = NetSys.realtime()
            guard count >= 48 else { continue }
            let reply = answer(to: Array(buffer[0..<48]), receivedAt: receivedAt)
            _ = reply.withUnsafeBytes { raw in
                withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, peerLength)
                    }
                }
            }
        }
    }

    private func answer(to request: [UInt8], receivedAt: Double) -> [UInt8] {
        var skew = 0.0
        var leap: UInt8 = 0
        var mode: UInt8 = 4
        var stratum: UInt8 = 2
        var referenceID: [UInt8] = [127, 0, 0, 1]
        var originate = Array(request[40..<48])
        switch behaviour {
        case .skewed(let seconds): skew = seconds
        case .kissOfDeath(let code):
            stratum = 0
            leap = 3
            referenceID = Array(code.utf8.prefix(4))
        case .leapUnsynchronized: leap = 3
        case .wrongMode: mode = 3
        case .wrongOriginate: originate = originate.map { $0 ^ 0x5A }
        case .reads(let time): skew = time - receivedAt
        case .rawSeconds: break
        }
        var reply = [UInt8](repeating: 0, count: 48)
        reply[0] = leap << 6 | 4 << 3 | mode
        reply[1] = stratum
        reply[2] = 6
        reply[3] = UInt8(bitPattern: -20)
        reply.replaceSubrange(12..<16, with: referenceID + [UInt8](repeating: 0, count: 4 - referenceID.count))
        reply.replaceSubrange(16..<24, with: NTPTimestamp(unixTime: receivedAt + skew - 10).bytes)
        reply.replaceSubrange(24..<32, with: originate)
        reply.replaceSubrange(32..<40, with: NTPTimestamp(unixTime: receivedAt + skew).bytes)
        reply.replaceSubrange(40..<48, with: NTPTimestamp(unixTime: NetSys.realtime() + skew).bytes)
        if case .rawSeconds(let seconds) = behaviour {
            let stamp = NTPTimestamp(seconds: seconds, fraction: 1 << 31).bytes
            reply.replaceSubrange(32..<40, with: stamp)
            reply.replaceSubrange(40..<48, with: stamp)
        }
        return reply
    }
}

/// A TCP listener for the tests; the kernel completes handshakes from its backlog, no accept needed.
final class TestTCPListener: Sendable {
    let fd: Int32

    /// Listens on `address:port` in the calling thread's namespace.
    init(address: String, port: UInt16) throws {
        guard let bindAddress = SocketAddress(numeric: address, port: port) else {
            throw TestNetworkError("bad address \(address)")
        }
        fd = socket(bindAddress.family, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bindAddress.withSockaddr({ bind(fd, $0, $1) }) == 0, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestNetworkError("listen \(address):\(port): \(reason)")
        }
    }

    deinit { close(fd) }
}
