import Foundation
import Glibc
import XCTest

/// A throwaway network made by a test inside its own private network namespace: peers are
/// `unshare -n sleep` processes joined by veth pairs, configured with `ip` through `nsenter`.
/// Nothing here can reach a real network: the test process itself runs under `unshare -n`.
final class TestNetwork {
    /// One peer host: a sleeping process whose network namespace is the host's.
    final class Peer {
        let name: String
        let pid: Int32

        init(name: String, pid: Int32) {
            self.name = name
            self.pid = pid
        }
    }

    private(set) var peers: [Peer] = []
    /// The daemons teardown will signal: each one started and not yet reaped.
    private(set) var daemons: [pid_t] = []
    private var hostCommandsOnTeardown: [[String]] = []
    private var links: [String] = []

    /// Skips the calling test unless it runs in a private network namespace that can make peers.
    static func requirePrivateNamespace(file: StaticString = #filePath, line: UInt = #line) throws {
        guard ProcessInfo.processInfo.environment["NIGHTSHIFT_PRIVATE_NETNS"] == "1" else {
            throw XCTSkip("""
                needs a private network namespace: run scripts/test-network \
                (unshare -n -- env NIGHTSHIFT_PRIVATE_NETNS=1 swift test ...); no packets are sent outside one
                """, file: file, line: line)
        }
        guard geteuid() == 0 else { throw XCTSkip("needs root to create peer namespaces and veth pairs") }
        for tool in ["ip", "unshare", "nsenter", "sysctl"] where findTool(tool) == nil {
            throw XCTSkip("needs the \(tool) command to build the test network")
        }
        // Our own namespace must be private: only lo and links we made, no default route.
        let routes = try run(["ip", "route", "show", "default"])
        guard routes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw XCTSkip("NIGHTSHIFT_PRIVATE_NETNS=1 is set but this namespace has a default route; refusing to send packets")
        }
        _ = try run(["ip", "link", "set", "lo", "up"])
    }

    /// Finds a program on PATH (or in the sbin folders, which a plain PATH may lack).
    static func findTool(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs a command to completion; throws with its output when it fails.
    @discardableResult
    static func run(_ argv: [String], allowFailure: Bool = false) throws -> String {
        let (status, text) = try TestCommand.run(argv)
        if status != 0, !allowFailure {
            throw TestNetworkError("\(argv.joined(separator: " ")) exited \(status): \(text)")
        }
        return text
    }

    /// Runs a command in this (the test's) namespace.
    @discardableResult
    func host(_ argv: [String], allowFailure: Bool = false) throws -> String {
        try TestNetwork.run(argv, allowFailure: allowFailure)
    }

    /// Runs a command inside a peer's namespace.
    @discardableResult
    func on(_ peer: Peer, _ argv: [String], allowFailure: Bool = false) throws -> String {
        try TestNetwork.run(["nsenter", "-t", String(peer.pid), "-n"] + argv, allowFailure: allowFailure)
    }

    /// Starts a long-running program inside a peer's namespace, or here with nil (killed at teardown).
    @discardableResult
    func daemon(on peer: Peer?, _ argv: [String], outputFile: String? = nil) throws -> pid_t {
        let full = (peer.map { ["nsenter", "-t", String($0.pid), "-n"] } ?? []) + argv
        let child = try TestCommand.spawn(full, outputFile: outputFile)
        daemons.append(child.pid)
        return child.pid
    }

    /// Whether a daemon still runs. One that ended is reaped here and forgotten, so teardown
    /// never signals its pid: the kernel may have given that number to another process.
    func daemonIsRunning(_ pid: pid_t) -> Bool {
        guard daemons.contains(pid) else { return false }
        if TestCommand.isRunning(pid) { return true }
        daemons.removeAll { $0 == pid }
        return false
    }

    /// Stops a daemon now (SIGTERM, then reaps it) and forgets it; one already gone is left alone.
    func stopDaemon(_ pid: pid_t) {
        guard daemons.contains(pid) else { return }
        kill(pid, SIGTERM)
        TestCommand.wait(pid)
        daemons.removeAll { $0 == pid }
    }

    /// Makes a peer namespace and waits until it exists.
    func addPeer(_ name: String) throws -> Peer {
        let child = try TestCommand.spawn(["unshare", "-n", "sleep", "600"])
        let peer = Peer(name: name, pid: child.pid)
        peers.append(peer)
        let ours = try namespaceID(of: getpid())
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let theirs = try? namespaceID(of: peer.pid), theirs != ours,
               (try? String(contentsOfFile: "/proc/\(peer.pid)/comm", encoding: .utf8))?.hasPrefix("sleep") == true {
                try on(peer, ["ip", "link", "set", "lo", "up"])
                return peer
            }
            usleep(10_000)
        }
        throw TestNetworkError("peer \(name) did not get its own network namespace")
    }

    /// Joins a peer with a veth pair: `hostSide` here, `eth0` there, with optional IPv4/IPv6 addresses (CIDR).
    func link(
        _ peer: Peer, hostSide: String, hostAddress: String?, peerAddress: String?,
        hostIPv6: String? = nil, peerIPv6: String? = nil
    ) throws {
        try host(["ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", String(peer.pid)])
        links.append(hostSide)
        if let hostAddress { try host(["ip", "addr", "add", hostAddress, "dev", hostSide]) }
        if let hostIPv6 { try host(["ip", "-6", "addr", "add", hostIPv6, "dev", hostSide, "nodad"]) }
        try host(["ip", "link", "set", hostSide, "up"])
        if let peerAddress { try on(peer, ["ip", "addr", "add", peerAddress, "dev", "eth0"]) }
        if let peerIPv6 { try on(peer, ["ip", "-6", "addr", "add", peerIPv6, "dev", "eth0", "nodad"]) }
        try on(peer, ["ip", "link", "set", "eth0", "up"])
        try waitForCarrier(hostSide)
    }

    /// Sets a sysctl in this namespace, restoring the old value at teardown.
    func hostSysctl(_ key: String, _ value: String) throws {
        let old = try host(["sysctl", "-n", key]).trimmingCharacters(in: .whitespacesAndNewlines)
        hostCommandsOnTeardown.append(["sysctl", "-qw", "\(key)=\(old)"])
        try host(["sysctl", "-qw", "\(key)=\(value)"])
    }

    /// Removes a route or link made in this namespace at teardown.
    func onTeardown(_ argv: [String]) {
        hostCommandsOnTeardown.append(argv)
    }

    /// Kills every peer and daemon and undoes host changes; safe to call twice.
    func tearDown() {
        // Deleting our end removes the pair at once; a dying namespace frees it only later,
        // and the next test would find the name taken.
        for link in links { _ = try? host(["ip", "link", "del", link], allowFailure: true) }
        links.removeAll()
        for pid in daemons { kill(pid, SIGTERM) }
        for pid in daemons { TestCommand.wait(pid) }
        daemons.removeAll()
        for peer in peers { kill(peer.pid, SIGKILL) }
        for peer in peers { TestCommand.wait(peer.pid) }
        peers.removeAll()
        for argv in hostCommandsOnTeardown.reversed() { _ = try? host(argv, allowFailure: true) }
        hostCommandsOnTeardown.removeAll()
    }

    deinit { tearDown() }

    private func namespaceID(of pid: Int32) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
    }

    private func waitForCarrier(_ device: String) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            // Not /sys/class/net: sysfs shows the namespace it was mounted in, not ours.
            if let state = try? host(["ip", "-o", "link", "show", device]), state.contains("LOWER_UP") { return }
            usleep(5_000)
        }
        throw TestNetworkError("\(device) has no carrier")
    }

    /// Runs `body` on a thread that has entered a peer's network namespace, so sockets it makes
    /// (listeners, test servers) live there; the thread ends afterwards, never leaking the namespace.
    static func inNamespace<T: Sendable>(of pid: Int32, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ThreadResult<T>()
        let thread = Thread {
            let fd = open("/proc/\(pid)/ns/net", O_RDONLY | O_CLOEXEC)
            guard fd >= 0, enterNamespace(fd) == 0 else {
                box.set(.failure(TestNetworkError("setns into \(pid): \(String(cString: strerror(errno)))")))
                return
            }
            close(fd)
            box.set(Result { try body() })
        }
        thread.start()
        return try box.wait().get()
    }
}

/// setns(2) through dlsym: Glibc's Swift module hides it behind _GNU_SOURCE.
private func enterNamespace(_ fd: Int32) -> Int32 {
    typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "setns") else { return -1 }
    let cloneNewNet: Int32 = 0x4000_0000
    return unsafeBitCast(symbol, to: SetNS.self)(fd, cloneNewNet)
}

/// A failure while building or driving the test network.
struct TestNetworkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Hands one value from a helper thread to the waiting test. `@unchecked` because the
/// condition lock, not the compiler, guards `value`.
final class ThreadResult<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Result<T, any Error>?

    func set(_ result: Result<T, any Error>) {
        condition.lock()
        value = result
        condition.signal()
        condition.unlock()
    }

    func wait() -> Result<T, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
