import Dispatch
import Foundation
import Synchronization

/// One probe target with its own source address and ways of probing.
public struct ProbeTarget: Sendable, Hashable {
    /// The address or host name.
    public var address: String
    /// The source address to probe from (the NIC facing the target).
    public var via: String?
    /// How to probe it; up when any of them answers. Never empty.
    public var probes: [ProbeMethod]

    /// Creates a target probed with `probes`, or with a TCP connect to `tcpPort`, or with ICMP.
    public init(address: String, via: String? = nil, tcpPort: UInt16? = nil, probes: [ProbeMethod]? = nil) {
        self.address = address
        self.via = via
        self.probes = probes.flatMap { $0.isEmpty ? nil : $0 } ?? [tcpPort.map { .tcp($0) } ?? .icmp]
    }
}

/// How `Prober.probe` waits for targets to come up: overall timeout, seconds between probes, and
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
    /// Probes targets that need different sources or ways of probing: one sweep (or wait) per
    /// group of (source, probe), all groups at once, so the whole takes one timeout chain however
    /// many NICs and probes there are. A target asked several ways (an array, or `"auto"`:
    /// ICMP plus ARP when on-link) is up when any answers; otherwise unknown when any could not
    /// be made here, else down. A group that cannot be probed at all gives `unknown` results
    /// instead of failing the rest - the ARP that `"auto"` adds too: without CAP_NET_RAW a
    /// PC that drops ping but is on cannot be told from one that is off, so a silent one is
    /// unknown (saying how to grant the capability), never down.
    /// A raised `interruption` ends every group within about 50 ms and throws `InterruptedError`.
    public static func probe(
        _ targets: [ProbeTarget], options base: ProbeOptions, wait: ProbeWait? = nil, interruption: Interruption? = nil
    ) throws(InterruptedError) -> [String: ProbeResult] {
        let plan = ProbePlan(targets)
        let results = Mutex<[ProbePlan.Key: ProbeResult]>([:])
        // One stop for all groups: `any` is satisfied by an answer in any group.
        let stop = ProbeStop(interruption: interruption, stopOnAnswer: wait?.any ?? false,
                             sharesAnswers: plan.asksSomeAddressTwice)
        let done = DispatchGroup()
        for (group, addresses) in plan.groups {
            done.enter()
            // Own threads, not concurrentPerform: that would cap the groups at the core count.
            Thread {
                var options = base
                options.via = group.via
                options.tcpPort = nil
                options.arp = false
                switch group.method {
                case .tcp(let port): options.tcpPort = port
                case .arp: options.arp = true
                case .icmp, .auto: break
                }
                do {
                    let r = try wait.map {
                        try waitUp(addresses, options: options, timeout: $0.timeout, interval: $0.interval, stop: stop)
                    } ?? sweep(addresses, options: options, stop: stop)
                    results.withLock { all in
                        for (address, result) in r { all[ProbePlan.Key(address: address, group: group)] = result }
                    }
                } catch is InterruptedError {
                    // Reported once, below, for all groups.
                } catch {
                    let unknown = ProbeResult(up: false, error: "cannot probe: \(error)", unknown: true)
                    results.withLock { all in
                        for address in addresses { all[ProbePlan.Key(address: address, group: group)] = unknown }
                    }
                }
                done.leave()
            }.start()
        }
        done.wait()
        if let signal = stop.interruptedBy { throw InterruptedError(signal: signal) }
        let all = results.withLock { $0 }
        var merged = plan.merge(all)
        // A wait follows a wake, where readiness is the night's business; a sweep decides who is on.
        if wait == nil {
            try confirmARPOnly(plan.answeredByImplicitARPOnly(all), in: &merged, options: base, interruption: interruption)
        }
        return merged
    }
}

/// Which (source, probe) groups a list of targets needs, and how their results combine per address.
struct ProbePlan {
    struct Group: Hashable {
        let via: String?
        /// `.icmp`, `.tcp` or `.arp`: `.auto` is resolved before grouping.
        let method: ProbeMethod
    }

    struct Key: Hashable {
        let address: String
        let group: Group
    }

    /// Addresses per group, in the order the targets named them.
    private(set) var groups: [Group: [String]] = [:]
    /// Per address, the groups that probe it, and whether each was added by `"auto"`.
    private var asked: [String: [(group: Group, implicit: Bool)]] = [:]
    private var order: [String] = []

    /// Whether some address is probed by more than one group (an array or `"auto"`).
    var asksSomeAddressTwice: Bool { asked.values.contains { $0.count > 1 } }

    init(_ targets: [ProbeTarget]) {
        var link = LocalLink()
        var onLink: [Key: Bool] = [:]
        for target in targets {
            var methods: [(ProbeMethod, Bool)] = []
            for method in target.probes {
                guard method == .auto else { methods.append((method, false)); continue }
                methods.append((.icmp, false))
                // "auto" adds ARP only where the kernel would ARP for the address itself.
                let key = Key(address: target.address, group: Group(via: target.via, method: .arp))
                let local = onLink[key] ?? {
                    guard case .success(let address) = HostResolver.resolve(target.address) else { return false }
                    return link.isOnLink(address, from: target.via.flatMap { SocketAddress(numeric: $0) })
                }()
                onLink[key] = local
                if local { methods.append((.arp, true)) }
            }
            for (method, implicit) in methods {
                let group = Group(via: target.via, method: method)
                if asked[target.address] == nil { order.append(target.address) }
                if asked[target.address, default: []].contains(where: { $0.group == group }) {
                    // Asked explicitly as well: then it is no longer only "auto"'s extra.
                    if !implicit { asked[target.address] = asked[target.address]!.map { $0.group == group ? (group, false) : $0 } }
                    continue
                }
                asked[target.address, default: []].append((group, implicit))
                groups[group, default: []].append(target.address)
            }
        }
    }

    /// The addresses (with their source) that only `"auto"`'s ARP saw: no other probe answered.
    func answeredByImplicitARPOnly(_ results: [Key: ProbeResult]) -> [(address: String, via: String?)] {
        order.compactMap { address in
            let answering = (asked[address] ?? []).filter { results[Key(address: address, group: $0.group)]?.up == true }
            guard let first = answering.first,
                  answering.allSatisfy({ $0.implicit && $0.group.method == .arp }) else { return nil }
            return (address, first.group.via)
        }
    }

    /// One result per address: up if any probe answered (`probe` names it when there were
    /// several), else unknown if any could not be made, else down; errors joined per probe.
    func merge(_ results: [Key: ProbeResult]) -> [String: ProbeResult] {
        var out: [String: ProbeResult] = [:]
        for address in order {
            let entries = asked[address] ?? []
            var parts: [(method: ProbeMethod, result: ProbeResult)] = []
            for (group, _) in entries {
                guard let result = results[Key(address: address, group: group)] else { continue }
                parts.append((group.method, result))
            }
            if parts.count == 1, entries.count == 1 {
                out[address] = parts[0].result
                continue
            }
            if let best = parts.filter({ $0.result.up }).min(by: {
                ($0.result.rttMilliseconds ?? .infinity) < ($1.result.rttMilliseconds ?? .infinity)
            }) {
                var result = best.result
                result.probe = best.method.description
                out[address] = result
                continue
            }
            let unknown = parts.contains { $0.result.unknown }
            let errors = parts.compactMap { part in part.result.error.map { "\(part.method): \($0)" } }
            out[address] = ProbeResult(up: false, error: errors.isEmpty ? nil : errors.joined(separator: "; "), unknown: unknown)
        }
        return out
    }
}
