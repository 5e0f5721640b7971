import Dispatch
import Foundation
import Synchronization

/// One probe target with its own source address and TCP port.
public struct ProbeTarget: Sendable, Hashable {
    /// The address or host name.
    public var address: String
    /// The source address to probe from (the NIC facing the target).
    public var via: String?
    /// A TCP port for a connect probe instead of ICMP.
    public var tcpPort: UInt16?

    /// Creates a target.
    public init(address: String, via: String? = nil, tcpPort: UInt16? = nil) {
        self.address = address
        self.via = via
        self.tcpPort = tcpPort
    }
}

/// How `Prober.probe` waits (`ns.wait_up`): overall timeout, seconds between probes, and
/// whether one answering target is enough.
public struct ProbeWait: Sendable, Equatable {
    /// Overall seconds.
    public var timeout: Double
    /// Seconds between two probes to a silent target.
    public var interval: Double
    /// Return as soon as any target answers (a host with several addresses).
    public var any: Bool

    /// `ns.wait_up`'s documented default wait: three minutes, a slow PC's boot.
    public static let defaultTimeout: Double = 180
    /// `ns.wait_up`'s documented default time between two probes.
    public static let defaultInterval: Double = 2

    /// Creates the wait options.
    public init(timeout: Double, interval: Double, any: Bool = false) {
        self.timeout = timeout
        self.interval = interval
        self.any = any
    }
}

extension Prober {
    /// Probes targets that need different sources or ports: one sweep (or wait) per group,
    /// all groups at once, so the whole takes one timeout chain however many NICs there are.
    /// A group that cannot be probed at all gives `unknown` results instead of failing the rest.
    /// A raised `interruption` ends every group within about 50 ms and throws `InterruptedError`.
    public static func probe(
        _ targets: [ProbeTarget], options base: ProbeOptions, wait: ProbeWait? = nil, interruption: Interruption? = nil
    ) throws(InterruptedError) -> [String: ProbeResult] {
        let groups = Dictionary(grouping: targets) { ProbeTarget(address: "", via: $0.via, tcpPort: $0.tcpPort) }
        let results = Mutex<[String: ProbeResult]>([:])
        // One stop for all groups: `any` is satisfied by an answer in any group.
        let stop = ProbeStop(interruption: interruption, stopOnAnswer: wait?.any ?? false)
        let done = DispatchGroup()
        for (key, members) in groups {
            let addresses = members.map(\.address)
            done.enter()
            // Own threads, not concurrentPerform: that would cap the groups at the core count.
            Thread {
                var options = base
                options.via = key.via
                options.tcpPort = key.tcpPort
                do {
                    let r = try wait.map {
                        try waitUp(addresses, options: options, timeout: $0.timeout, interval: $0.interval, stop: stop)
                    } ?? sweep(addresses, options: options, stop: stop)
                    results.withLock { $0.merge(r) { a, _ in a } }
                } catch is InterruptedError {
                    // Reported once, below, for all groups.
                } catch {
                    let unknown = ProbeResult(up: false, error: "cannot probe: \(error)", unknown: true)
                    results.withLock { r in for t in addresses where r[t] == nil { r[t] = unknown } }
                }
                done.leave()
            }.start()
        }
        done.wait()
        if let signal = stop.interruptedBy { throw InterruptedError(signal: signal) }
        return results.withLock { $0 }
    }
}
