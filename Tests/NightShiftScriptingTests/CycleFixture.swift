import Foundation
import NightShiftCore
import NightShiftScripting
import XCTest

/// Whole-cycle scenarios run inside a private network namespace (scripts/test runs this
/// suite under `unshare -n` with NIGHTSHIFT_PRIVATE_NETNS=1). "Up" hosts are loopback
/// addresses; "down" hosts are 10.200.0.x addresses that exist nowhere until a fake NIC
/// sees their magic packet and adds the address to `lo` - so a real magic packet really
/// wakes them, and a switch-off action removes the address again.
final class CycleFixture {
    let f: ScriptFixture
    let nic: FakeNIC
    var dir: String { f.dir }

    init(testCase: XCTestCase) throws {
        guard ProcessInfo.processInfo.environment["NIGHTSHIFT_PRIVATE_NETNS"] == "1" else {
            throw XCTSkip("whole-cycle tests send packets: run them in a private namespace (scripts/test does: unshare -n with NIGHTSHIFT_PRIVATE_NETNS=1)")
        }
        f = try ScriptFixture()
        _ = try CycleFixture.sh("ip link set lo up")
        // A switched-off machine is silent, not "no route": without a route the probe fails
        // here and is unknown (invariant 8). Looped back and not local, the probes are dropped.
        _ = try CycleFixture.sh("ip route replace 10.200.0.0/24 dev lo")
        nic = try FakeNIC()
        nic.start()
        try f.write("power.sh", """
            #!/bin/sh
            # power.sh ACTION NAME IP: record the action; a switch-off takes the address away.
            echo "$1 $2" >> "\(f.dir)/actions.log"
            case "$1" in shutdown|suspend|hibernate) [ -n "$3" ] && ip addr del "$3/32" dev lo 2>/dev/null ;; esac
            exit 0
            """)
    }

    deinit {
        nic.stop()
        for ip in nic.added { _ = try? CycleFixture.sh("ip addr del \(ip)/32 dev lo 2>/dev/null; true") }
    }

    /// Runs a shell command, returning its output.
    @discardableResult
    static func sh(_ command: String) throws -> String {
        let r = try ProcessRunner.runBlocking(ExecRequest(.shell(command), timeout: 20, logMode: .none))
        return String(decoding: r.stdout, as: UTF8.self)
    }

    /// A host entry that is down until woken: its MAC ends in `n`, its address is 10.200.0.n.
    func sleeper(_ name: String, _ n: Int, extra: String = "") -> String {
        nic.register(mac: String(format: "02:00:00:00:00:%02x", n), ip: "10.200.0.\(n)")
        return """
            host "\(name)" { ip = "10.200.0.\(n)", mac = "02:00:00:00:00:\(String(format: "%02x", n))",
              broadcast = "127.0.0.1", wol_port = \(nic.port), wake_timeout = "4s",
              actions = { shutdown = {"sh", "\(dir)/power.sh", "shutdown", "{name}", "{ip}"},
                          suspend = {"sh", "\(dir)/power.sh", "suspend", "{name}", "{ip}"} }\(extra) }

            """
    }

    /// The settings and this machine's host entry common to every scenario.
    func header(_ extra: String = "") -> String {
        """
        settings { self = "Nas", self_sleep = "hibernate", off_timeout = "5s", ping_timeout = 0.3,
                   rtc = "\(dir)/wakealarm"\(extra) }
        host "Nas" { actions = { hibernate = {"sh", "\(dir)/power.sh", "hibernate", "{name}"} } }

        """
    }

    /// Loads `script` into a fresh runtime and runs one cycle.
    func cycle(_ script: String, manual: Bool = false) throws -> CycleOutcome {
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        return try rt.cycle(manual: manual)
    }

    /// Lines of the action log ("suspend B1", "hibernate Nas").
    var actions: [String] {
        ((try? String(contentsOfFile: dir + "/actions.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The state file as JSON.
    func state() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/state/state.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}

/// A stand-in for the wake-on-LAN logic of network cards: a UDP socket on loopback that
/// reads real magic packets and "boots" the machine by adding its address to `lo`.
final class FakeNIC: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var machines: [String: String] = [:]  // mac -> ip
    private(set) var added: [String] = []
    private(set) var packets: [String] = []         // MACs seen, in order
    var bootDelay: Double = 0.5
    var refuse: Set<String> = []

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw XCTSkip("cannot bind a UDP socket on loopback") }
        port = UInt16(bigEndian: addr.sin_port)
    }

    /// Starts reading packets (after init, so the thread can hold the NIC).
    func start() {
        Thread { [self] in loop() }.start()
    }

    func register(mac: String, ip: String) { lock.withLock { machines[mac] = ip } }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    var seen: [String] { lock.withLock { packets } }

    /// The MACs seen before a marker packet sent now, once the marker arrived (bounded): a
    /// packet sent earlier was queued on this socket before the marker, so "none" is proof,
    /// not a guess that a fixed wait was long enough.
    func seenBeforeMarker(within seconds: Double = 10) throws -> [String] {
        let marker = "0e:00:00:00:00:fe"
        let sent = try WakeOnLAN.send([MACAddress(parsing: marker)],
                                      options: WakeOptions(broadcast: "127.0.0.1", port: port, repeatCount: 1))
        XCTAssertEqual(sent, 1)
        let deadline = Date().addingTimeInterval(seconds)
        while !seen.contains(marker), Date() < deadline { usleep(10_000) }
        let all = seen
        guard let index = all.firstIndex(of: marker) else { throw MarkerLost(seconds: seconds) }
        return Array(all[..<index])
    }

    private func loop() {
        var buf = [UInt8](repeating: 0, count: 512)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return }
            guard n >= 102, buf[0..<6].allSatisfy({ $0 == 0xFF }) else { continue }
            let mac = buf[6..<12].map { String(format: "%02x", $0) }.joined(separator: ":")
            let target: String? = lock.withLock {
                packets.append(mac)
                guard !refuse.contains(mac), let ip = machines[mac] else { return nil }
                if !added.contains(ip) { added.append(ip) }
                return ip
            }
            if let ip = target {
                let delay = bootDelay
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
                    _ = try? CycleFixture.sh("ip addr add \(ip)/32 dev lo")
                }
            }
        }
    }
}

/// The fake NIC's own marker packet did not arrive: nothing can be said about earlier packets.
struct MarkerLost: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "the fake NIC did not receive its marker packet within \(seconds) s" }
}
