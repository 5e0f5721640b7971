import Foundation
import Glibc
import LuaBinding
import NightShiftCore
import NightShiftScripting
import XCTest

/// `ns.wait_up` and `ns.time.query` end within 1 s of SIGTERM (raising "interrupted by
/// SIGTERM"), however long their timeout. Loopback only: the silent TCP host is a listener
/// whose accept queue is full (the kernel drops further SYNs), the silent NTP server a UDP
/// socket that never answers.
final class NetworkInterruptionTests: XCTestCase {
    private var sockets: [Int32] = []

    override func tearDown() {
        for fd in sockets { close(fd) }
        sockets.removeAll()
    }

    private func loopbackSocket(_ type: Int32) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw XCTSkip("cannot open a socket: \(String(cString: strerror(errno)))") }
        sockets.append(fd)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        XCTAssertEqual(bound, 0)
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A TCP port on 127.0.0.1 that neither accepts nor refuses: listen(0), queue filled.
    private func silentTCPPort() throws -> UInt16 {
        let (listener, port) = try loopbackSocket(Int32(SOCK_STREAM.rawValue))
        XCTAssertEqual(listen(listener, 0), 0)
        // One connection fills a backlog of 0; a SYN after that is dropped without an answer.
        let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        sockets.append(filler)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        return port
    }

    /// Runs `script` with its own interruption, triggers SIGTERM after `after` seconds from
    /// another thread, and returns the error text and the seconds from trigger to return.
    private func interrupt(_ script: String, after: Double = 0.5) throws -> (message: String, latency: Double) {
        let fixture = try ScriptFixture()
        let interruption = Interruption()
        let context = ScriptContext(log: fixture.log, options: ScriptOptions(), interruption: interruption)
        let runtime = try ScriptRuntime(context: context)
        let triggeredAt = LockedValue<Double>()
        let trigger = Thread {
            Thread.sleep(forTimeInterval: after)
            triggeredAt.set(ProcessInfo.processInfo.systemUptime)
            interruption.trigger(signal: SIGTERM)
        }
        trigger.start()
        let r = try runtime.lua.execute("local ok, e = pcall(function() \(script) end) return ok and 'no error' or tostring(e)")
        let returnedAt = ProcessInfo.processInfo.systemUptime
        let latency = returnedAt - (triggeredAt.get() ?? returnedAt)
        return (r.first?.stringValue ?? "?", latency)
    }

    func testWaitUpOnASilentHostEndsWithinASecondOfSIGTERM() throws {
        let port = try silentTCPPort()
        // interval 10: a wait that looks at SIGTERM only between intervals would take up to 10 s.
        let (message, latency) = try interrupt("ns.wait_up('127.0.0.1', {tcp = \(port), timeout = 30, interval = 10})")
        XCTAssertTrue(message.contains("interrupted by SIGTERM"), message)
        XCTAssertLessThan(latency, 1.0, "wait_up returned \(latency) s after SIGTERM")
    }

    func testTimeQueryToASilentPortEndsWithinASecondOfSIGTERM() throws {
        let (_, port) = try loopbackSocket(Int32(SOCK_DGRAM.rawValue))
        let (message, latency) = try interrupt("ns.time.query('127.0.0.1', {port = \(port), timeout = 30})")
        XCTAssertTrue(message.contains("interrupted by SIGTERM"), message)
        XCTAssertLessThan(latency, 1.0, "time.query returned \(latency) s after SIGTERM")
    }

    func testPingWithALongTimeoutEndsWithinASecondOfSIGTERM() throws {
        let port = try silentTCPPort()
        let (message, latency) = try interrupt("ns.ping('127.0.0.1', {tcp = \(port), timeout = 30})")
        XCTAssertTrue(message.contains("interrupted by SIGTERM"), message)
        XCTAssertLessThan(latency, 1.0, "ping returned \(latency) s after SIGTERM")
    }
}

/// A value one thread sets and another reads.
private final class LockedValue<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T? { lock.lock(); defer { lock.unlock() }; return value }
}
