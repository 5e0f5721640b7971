import Dispatch
import Foundation
import Synchronization

extension Prober {
    /// What the log, `ping` and `check` say about a host that answered ARP and nothing else.
    public static let asleepMessage = "answers ARP only, no NetBIOS answer: asleep with ARP offload?"

    /// Asks each host that `"auto"` saw by ARP only for its NetBIOS node status, one sweep per
    /// source address, all at once: an answer (or a port unreachable) keeps it up, silence makes
    /// it down and `asleep`. Costs nothing when no host answered ARP only, one probe chain
    /// (`timeout` x (`retries` + 1)) otherwise. A check that cannot be made leaves the host up:
    /// not knowing must never turn a PC that is on into an offline one.
    static func confirmARPOnly(
        _ candidates: [(address: String, via: String?)], in merged: inout [String: ProbeResult],
        options base: ProbeOptions, interruption: Interruption?
    ) throws(InterruptedError) {
        guard !candidates.isEmpty else { return }
        var byVia: [String?: [String]] = [:]
        for candidate in candidates { byVia[candidate.via, default: []].append(candidate.address) }
        let answers = Mutex<[String: ProbeResult]>([:])
        let stop = ProbeStop(interruption: interruption, stopOnAnswer: false)
        let done = DispatchGroup()
        for (via, addresses) in byVia {
            done.enter()
            Thread {
                var options = base
                options.via = via
                options.tcpPort = nil
                options.arp = false
                options.netbios = true
                if let found = try? sweep(addresses, options: options, stop: stop) {
                    answers.withLock { all in all.merge(found) { first, _ in first } }
                }
                done.leave()
            }.start()
        }
        done.wait()
        if let signal = stop.interruptedBy { throw InterruptedError(signal: signal) }
        let found = answers.withLock { $0 }
        for (address, _) in candidates {
            guard let answer = found[address], !answer.unknown else { continue }
            if answer.up {
                merged[address]?.probe = "arp+netbios"
                continue
            }
            var asleep = ProbeResult(up: false, error: asleepMessage)
            asleep.asleep = true
            merged[address] = asleep
        }
    }
}
