import Foundation
import Glibc
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// Up is not ready: a host whose actions go over ssh answers ping before its ssh server runs
/// (Windows' OpenSSH service after a Wake-on-LAN boot). The night waits for the ssh port,
/// within the host's wake_timeout, before it runs anything there. Opens loopback listeners,
/// so it runs only in a private namespace (scripts/test-network ReadyWaitTests).
final class ReadyWaitTests: XCTestCase {
    /// A loopback port that refuses connections until `listen()`, like a PC whose sshd has not
    /// started: bound, so no other socket takes the port meanwhile.
    final class LateListener: Sendable {
        let fd: Int32
        let port: UInt16

        init() throws {
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
            }
            guard bound == 0, named == 0 else {
                close(socketFD)
                throw XCTSkip("cannot bind a loopback port: \(String(cString: strerror(errno)))")
            }
            fd = socketFD
            port = UInt16(bigEndian: address.sin_port)
        }

        func listen() { _ = Glibc.listen(fd, 16) }

        deinit { close(fd) }
    }

    private func requireNamespace() throws {
        guard ProcessInfo.processInfo.environment["NIGHTSHIFT_PRIVATE_NETNS"] == "1" else {
            throw XCTSkip("opens loopback ports and probes them: run in a private namespace (scripts/test-network ReadyWaitTests)")
        }
    }

    /// A site whose "Win" (on loopback, up at the sweep) has ssh actions on `port`: a fake
    /// ssh program records whether the port accepted a connection when it ran.
    private func site(_ f: ScriptFixture, port: UInt16, wakeTimeout: String, ready: String? = nil) throws -> ScriptRuntime {
        let fakeSSH = try f.write("ssh", """
            #!/bin/bash
            if (exec 3<>/dev/tcp/127.0.0.1/\(port)) 2>/dev/null; then echo open >> \(f.dir)/runs; exit 0; fi
            echo closed >> \(f.dir)/runs; exit 255
            """)
        chmod(fakeSSH, 0o755)
        let script = """
            settings { self = "Nas", wake_timeout = "\(wakeTimeout)", ping_timeout = "0.5s" }
            host "Nas" { time_source = true }
            host "Win" { ip = "127.0.0.1", mac = "AA-BB-CC-DD-EE-09", probe = "icmp", user = "admin",\(ready.map { " ready = \($0)," } ?? "")
              actions = { set_time = { "\(fakeSSH)", "-o", "BatchMode=yes", "-p", "\(port)", "-l", "{user}", "--", "{ip}", "set", "{epoch}" } } }
            job "J" { source = "Nas", target = "Win", run = { "true" }, time_sync = "auto" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        return rt
    }

    private func runs(_ f: ScriptFixture) -> [String] {
        ((try? String(contentsOfFile: f.dir + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Up at the sweep with ssh closed: the job waits for the port, then its ssh action finds it open.
    func testTheJobWaitsForTheSSHPortBeforeItsActions() throws {
        try requireNamespace()
        let f = try ScriptFixture()
        let listener = try LateListener()
        let rt = try site(f, port: listener.port, wakeTimeout: "20s")
        let opened = DispatchSemaphore(value: 0)
        Thread {
            usleep(1_500_000)
            listener.listen()
            opened.signal()
        }.start()
        let started = Date()
        let r = try rt.executeWithCore("""
            local night = core.new_night({ Win = { up = true, ip = "127.0.0.1" } }, true, { hosts = {} })
            return night:run("J")
            """)
        let took = Date().timeIntervalSince(started)
        opened.wait()
        let log = f.logText
        XCTAssertEqual(r.first, .string("ok"), "\(r) \(log)")
        XCTAssertEqual(runs(f), ["open"], log)
        XCTAssertGreaterThan(took, 1.4, log)
        XCTAssertLessThan(took, 10, log)
        XCTAssertTrue(log.contains("Win answers; waiting for its ssh port \(listener.port)"), log)
        XCTAssertTrue(log.contains("Win's ssh port \(listener.port) accepts connections after"), log)
    }

    /// An ssh port that never opens fails the job within the host's wake_timeout, naming host and port.
    func testAnSSHPortThatNeverOpensFailsTheJobWithinTheWakeTimeout() throws {
        try requireNamespace()
        let f = try ScriptFixture()
        let listener = try LateListener()
        let rt = try site(f, port: listener.port, wakeTimeout: "2s")
        let started = Date()
        let r = try rt.executeWithCore("""
            local night = core.new_night({ Win = { up = true, ip = "127.0.0.1" } }, true, { hosts = {} })
            local result, reason = night:run("J")
            return result, reason
            """)
        let took = Date().timeIntervalSince(started)
        let log = f.logText
        XCTAssertEqual(r.first, .string("failed"), "\(r) \(log)")
        XCTAssertEqual(r.dropFirst().first, .string("Win's ssh port \(listener.port) did not accept a connection within the wake timeout (2s)"), log)
        XCTAssertTrue(runs(f).isEmpty, "nothing ran over ssh: \(runs(f)) \(log)")
        XCTAssertGreaterThan(took, 1.9, log)
        XCTAssertLessThan(took, 6, log)
    }

    /// `ready = "none"`: no wait, the actions run at once (and fail here, as they would).
    func testReadyNoneDoesNotWait() throws {
        try requireNamespace()
        let f = try ScriptFixture()
        let listener = try LateListener()
        let rt = try site(f, port: listener.port, wakeTimeout: "20s", ready: "\"none\"")
        let started = Date()
        _ = try rt.executeWithCore("""
            local night = core.new_night({ Win = { up = true, ip = "127.0.0.1" } }, true, { hosts = {} })
            return night:ensure_up({ "Nas", "Win" })
            """)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, f.logText)
        XCTAssertFalse(f.logText.contains("waiting for its"), f.logText)
    }

    /// --dry-run waits for nothing: it says what a night would wait for.
    func testDryRunSaysWhatANightWouldWaitFor() throws {
        try requireNamespace()
        let f = try ScriptFixture()
        let listener = try LateListener()
        let script = """
            settings { self = "Nas", wake_timeout = "20s" }
            host "Nas" { time_source = true }
            host "Win" { ip = "127.0.0.1", mac = "AA-BB-CC-DD-EE-09", probe = "icmp", ready = "tcp:\(listener.port)" }
            job "J" { source = "Nas", target = "Win", run = { "true" }, time_sync = "none" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime(ScriptOptions(dryRun: true))
        try rt.loadSite(path: path, source: Array(script.utf8))
        let started = Date()
        let r = try rt.executeWithCore("""
            local night = core.new_night({ Win = { up = true, ip = "127.0.0.1" } }, true, { hosts = {} })
            return night:ensure_up({ "Nas", "Win" })
            """)
        XCTAssertEqual(r.first, .boolean(true), f.logText)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, f.logText)
        XCTAssertTrue(f.logText.contains("DRY-RUN Win answers, but its port \(listener.port) does not accept a connection now"), f.logText)
    }
}
