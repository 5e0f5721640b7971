import Foundation
import Glibc
@testable import NightShiftCore
import XCTest

/// ns.wait_up: returns the moment the last target answers, not at a fixed tick.
final class WaitUpTests: XCTestCase {
    private var network: TestNetwork?
    private var peer: TestNetwork.Peer?

    override func setUpWithError() throws {
        try TestNetwork.requirePrivateNamespace()
        let network = TestNetwork()
        self.network = network
        // "late" exists but ignores ICMP, like a machine whose network stack is not up yet.
        let late = try network.addPeer("late")
        try network.link(late, hostSide: "vl", hostAddress: "10.79.1.1/24", peerAddress: "10.79.1.2/24")
        try network.on(late, ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"])
        peer = late
    }

    override func tearDown() {
        network?.tearDown()
        network = nil
    }

    func testReturnsAtOnceWhenAlreadyUp() throws {
        let started = Date()
        let results = try Prober.waitUp(["127.0.0.1", "::1"], timeout: 5, interval: 2)
        XCTAssertTrue(results.values.allSatisfy(\.up))
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.1)
    }

    func testGivesUpAfterTimeout() throws {
        let started = Date()
        let results = try Prober.waitUp(["10.79.1.2", "127.0.0.1"], options: ProbeOptions(timeout: 0.2),
                                        timeout: 1, interval: 0.2)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(results["127.0.0.1"]?.up, true)
        XCTAssertEqual(results["10.79.1.2"], ProbeResult(up: false, error: "no reply within 1 s"))
        XCTAssertGreaterThanOrEqual(elapsed, 0.99)
        XCTAssertLessThan(elapsed, 1.3)
    }

    /// The host starts answering 0.7 s in; wait_up must notice within about one interval.
    func testReturnsSoonAfterTheHostStartsAnswering() throws {
        let peer = try XCTUnwrap(peer)
        let network = try XCTUnwrap(network)
        let outcome = ThreadResult<(results: [String: ProbeResult], returnedAt: Double)>()
        let thread = Thread {
            outcome.set(Result {
                let results = try Prober.waitUp(["10.79.1.2", "127.0.0.1"], options: ProbeOptions(timeout: 1),
                                                timeout: 10, interval: 0.1)
                return (results, NetSys.monotonic())
            })
        }
        thread.start()
        usleep(700_000)
        try network.on(peer, ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=0"])
        let answeringSince = NetSys.monotonic()
        let (results, returnedAt) = try outcome.wait().get()
        XCTAssertEqual(results["10.79.1.2"]?.up, true)
        let latency = returnedAt - answeringSince
        XCTAssertLessThan(latency, 0.25, "wait_up noticed the host \(latency) s after it started answering")
    }

    /// SIGTERM during a wait on a silent host ends it within a second, not at the 30 s timeout.
    func testInterruptionEndsTheWaitAtOnce() throws {
        let interruption = Interruption()
        let outcome = ThreadResult<Double>()
        let thread = Thread {
            outcome.set(Result {
                do {
                    _ = try Prober.waitUp(["10.79.1.2"], options: ProbeOptions(timeout: 1), timeout: 30, interval: 0.5,
                                          interruption: interruption)
                    throw TestNetworkError("waitUp returned without an interruption")
                } catch let error as InterruptedError {
                    XCTAssertEqual(error.signal, SIGTERM)
                    return NetSys.monotonic()
                }
            })
        }
        thread.start()
        usleep(300_000)
        let triggeredAt = NetSys.monotonic()
        interruption.trigger(signal: SIGTERM)
        let returnedAt = try outcome.wait().get()
        XCTAssertLessThan(returnedAt - triggeredAt, 1.0)
    }

    /// `any`: the first answering target ends the wait for all groups.
    func testAnyReturnsWithTheFirstAnswer() throws {
        let started = Date()
        let results = try Prober.probe([ProbeTarget(address: "10.79.1.2"), ProbeTarget(address: "127.0.0.1", tcpPort: 9)],
                                       options: ProbeOptions(timeout: 0.5), wait: ProbeWait(timeout: 10, interval: 0.2, any: true))
        XCTAssertEqual(results["127.0.0.1"]?.up, true)
        XCTAssertEqual(results["10.79.1.2"]?.up, false)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5)
    }

    func testTCPWaitUpNoticesAListener() throws {
        let peer = try XCTUnwrap(peer)
        let outcome = ThreadResult<[String: ProbeResult]>()
        let thread = Thread {
            outcome.set(Result {
                try Prober.waitUp(["10.79.1.2"], options: ProbeOptions(timeout: 0.5, tcpPort: 8081), timeout: 10, interval: 0.1)
            })
        }
        // Refused already counts as up for a TCP probe, so the host is up straight away.
        thread.start()
        XCTAssertEqual(try outcome.wait().get()["10.79.1.2"]?.up, true)
        _ = peer
    }

    /// `listening`: a refused connect is a host that is there, not a service that runs (a PC
    /// whose OpenSSH service has not started yet), so it is down, saying so.
    func testListeningCountsARefusalAsDown() throws {
        let port: UInt16 = 8422
        let plain = try Prober.sweep(["127.0.0.1"], options: ProbeOptions(timeout: 0.5, retries: 0, tcpPort: port))
        XCTAssertEqual(plain["127.0.0.1"]?.up, true, "a refusal is up without `listening`")
        let strict = try Prober.sweep(["127.0.0.1"], options: ProbeOptions(timeout: 0.5, retries: 0, tcpPort: port, listening: true))
        XCTAssertEqual(strict["127.0.0.1"]?.up, false)
        XCTAssertEqual(strict["127.0.0.1"]?.unknown, false)
        XCTAssertTrue(strict["127.0.0.1"]?.error?.contains("connection refused") ?? false, "\(String(describing: strict))")
        let listener = try TestTCPListener(address: "127.0.0.1", port: port)
        let open = try Prober.sweep(["127.0.0.1"], options: ProbeOptions(timeout: 0.5, retries: 0, tcpPort: port, listening: true))
        XCTAssertEqual(open["127.0.0.1"]?.up, true)
        _ = listener
    }

    /// A wait with `listening` goes on through refusals and returns soon after the service listens.
    func testListeningWaitReturnsWhenTheServiceListens() throws {
        let port: UInt16 = 8423
        let outcome = ThreadResult<(results: [String: ProbeResult], returnedAt: Double)>()
        let startedAt = NetSys.monotonic()
        let thread = Thread {
            outcome.set(Result {
                let results = try Prober.waitUp(["127.0.0.1"], options: ProbeOptions(timeout: 0.5, tcpPort: port, listening: true),
                                                timeout: 10, interval: 0.1)
                return (results, NetSys.monotonic())
            })
        }
        thread.start()
        usleep(700_000)
        let beforeListen = NetSys.monotonic()
        let listener = try TestTCPListener(address: "127.0.0.1", port: port)
        let listeningSince = NetSys.monotonic()
        let (results, returnedAt) = try outcome.wait().get()
        XCTAssertEqual(results["127.0.0.1"]?.up, true)
        XCTAssertGreaterThanOrEqual(returnedAt, beforeListen, "returned \(returnedAt - startedAt) s in, before the listener")
        XCTAssertLessThan(returnedAt - listeningSince, 0.5)
        _ = listener
    }
}
