import ArgumentParser
import Foundation
import NightShiftCore

/// `nightshift ping`: probes hosts concurrently and prints one line per host.
struct PingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Probe hosts with ICMP echo (or TCP connect, or ARP), all at once.",
        discussion: """
            Prints one line per host: "HOST up RTT ms" or "HOST down (reason)".
            Exit status: 0 if every host is up, 1 if any is down, 2 on a usage or setup error.
            With --wait, probes every --interval seconds until all hosts answer or --wait seconds pass.
            With --script SCRIPT, the arguments are host names of that site script, probed as the
            night probes them (their addresses, via, probe and the script's ping settings).
            With --arp, an ARP request goes out of the NIC facing each host (IPv4 hosts on a local
            link only; needs root or CAP_NET_RAW): a Windows PC that drops ping still answers it.
            Many hosts: one per line in --targets-file FILE, or on standard input with `-`
            (`# comments` and empty lines skipped); this skips the argument parser's cost.
            """
    )

    @Option(help: "Seconds to wait for each reply.")
    var timeout: Double = ProbeOptions().timeout

    @Option(help: "Further probes after an unanswered one.")
    var retries: Int = ProbeOptions().retries

    @Option(help: "Source address to send from (picks the NIC).")
    var via: String?

    @Option(help: "Probe with a TCP connect to this port; connected or refused counts as up.")
    var tcp: UInt16?

    @Flag(help: "Probe with an ARP request instead (on-link IPv4 hosts; needs CAP_NET_RAW).")
    var arp = false

    @Option(help: "Keep probing until every host is up or this many seconds pass (like ns.wait_up).")
    var wait: Double?

    @Option(help: "With --wait: seconds between probes to a silent host.")
    var interval: Double = ProbeWait.defaultInterval

    @Option(help: "ICMP socket: automatic, datagram or raw.")
    var icmpSocket: String = ICMPSocketKind.automatic.rawValue

    @Option(help: "Site script whose host names the arguments are.")
    var script: String?

    @Option(help: "Read hosts from this file, one per line (`-`: standard input).")
    var targetsFile: String?

    @Argument(help: "Host names or addresses (`-`: read them from standard input, one per line).")
    var hosts: [String] = []

    func run() throws {
        let hosts = try TargetList.combine(hosts, file: targetsFile)
        if let script {
            if arp || tcp != nil { throw toolExit(.usage, "with --script each host is probed as its own `probe` says; drop --arp/--tcp") }
            return try runWithSite(script, hosts: hosts)
        }
        guard let kind = ICMPSocketKind(rawValue: icmpSocket) else {
            throw toolExit(.usage, "--icmp-socket must be automatic, datagram or raw")
        }
        if arp, tcp != nil { throw toolExit(.usage, "--arp and --tcp exclude each other") }
        let options = ProbeOptions(timeout: timeout, retries: retries, via: via, tcpPort: tcp, icmpSocket: kind, arp: arp)
        let results: [String: ProbeResult]
        do {
            if let wait {
                results = try Prober.waitUp(hosts, options: options, timeout: wait, interval: interval)
            } else {
                results = try Prober.sweep(hosts, options: options)
            }
        } catch {
            throw toolExit(.usage, "\(error)")
        }
        var seen = Set<String>()
        for host in hosts where seen.insert(host).inserted {
            let result = results[host] ?? ProbeResult(up: false, error: "not probed")
            print("\(host) \(result)")
        }
        if !results.values.allSatisfy(\.up) { throw ExitCode(.failed) }
    }
}

extension PingCommand {
    /// `--script`: probes the script's hosts by name, one line each.
    func runWithSite(_ script: String, hosts: [String]) throws {
        let runtime = try loadSite(script, dryRun: false).runtime
        let results = try withSite { try runtime.probeHosts(hosts) }
        var seen = Set<String>()
        for host in hosts where seen.insert(host).inserted {
            guard let r = results[host] else { continue }
            if r.up {
                let by = r.probe.map { " (\($0))" } ?? ""
                print("\(host) up \(r.ip ?? "") \(r.rttMs.map { String(format: "%.2f ms", $0) } ?? "")\(by)")
            } else {
                print("\(host) \(r.unknown ? "unknown" : r.asleep ? "asleep" : "down") (\(r.error ?? "no answer"))")
            }
        }
        if !results.values.allSatisfy(\.up) { throw ExitCode(.failed) }
    }
}
