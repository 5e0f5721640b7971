import Glibc
import XCTest

/// The test network's own bookkeeping; no packets, so these run without a namespace.
final class TestNetworkTests: XCTestCase {
    /// A daemon that ended and was reaped is forgotten: teardown must not signal its pid,
    /// which the kernel may already have given to an unrelated process.
    func testAReapedDaemonIsNeverSignalledAgain() throws {
        let network = TestNetwork()
        defer { network.tearDown() }
        let pid = try network.daemon(on: nil, ["true"])
        let deadline = Date().addingTimeInterval(10)
        while network.daemonIsRunning(pid), Date() < deadline { usleep(10_000) }
        XCTAssertFalse(network.daemonIsRunning(pid), "`true` did not end within 10 s")
        XCTAssertFalse(network.daemons.contains(pid), "teardown would signal a reaped pid")
    }

    /// Stopping a daemon by hand ends and reaps it at once and forgets it.
    func testAStoppedDaemonIsReapedAndForgotten() throws {
        let network = TestNetwork()
        defer { network.tearDown() }
        let pid = try network.daemon(on: nil, ["sleep", "600"])
        XCTAssertTrue(network.daemonIsRunning(pid))
        network.stopDaemon(pid)
        XCTAssertFalse(network.daemons.contains(pid))
        // Reaped: the pid is no longer our child.
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, WNOHANG), -1)
        XCTAssertEqual(errno, ECHILD)
    }
}
