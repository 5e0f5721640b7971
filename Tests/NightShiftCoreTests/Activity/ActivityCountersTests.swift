import NightShiftCore
import XCTest

/// The /proc readings behind ns.busy.traffic and ns.busy.disk.
final class ActivityCountersTests: XCTestCase {
    func testNetworkCountersSumReceivedAndSentBytesWithoutLoopback() {
        let text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo: 5000      50    0    0    0     0          0         0     5000      50    0    0    0     0       0          0
              eth0: 1000      10    0    0    0     0          0         0      234       3    0    0    0     0       0          0
            """
        XCTAssertEqual(ActivityCounters.network(procNetDev: text), ["eth0": 1234])
    }

    func testDiskCountersCountSectorsOfWholeDisksOnly() {
        let text = """
               8       0 sda 100 0 10 0 50 0 20 0 0 0 0
               8       1 sda1 100 0 10 0 50 0 20 0 0 0 0
               7       0 loop0 1 0 99 0 1 0 99 0 0 0 0
            """
        XCTAssertEqual(ActivityCounters.disk(procDiskstats: text, isWholeDisk: { $0 == "sda" }), ["sda": 30 * 512])
    }
}
