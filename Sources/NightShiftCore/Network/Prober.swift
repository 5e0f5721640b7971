import Glibc

/// ICMP/TCP/ARP reachability: a sweep of many targets at once, one target's answer, and a wait
/// until targets come up.
///
/// Every call probes all its targets concurrently from one thread and blocks its caller, which
/// must be a plain thread (the script's), never the Swift concurrency pool: a wait may sit in
/// poll(2) for minutes.
/// They throw only for setup errors (no ICMP socket permitted, unusable `via`, bad options);
/// a host that is down or a name that does not resolve is a result with `error`.
public enum Prober {
    /// Probes every target once (plus retries) and reports each as up, down or unknown.
    /// With `interruption`, a raised flag ends it within about 50 ms by throwing `InterruptedError`.
    public static func sweep(
        _ targets: [String], options: ProbeOptions = ProbeOptions(), interruption: Interruption? = nil
    ) throws -> [String: ProbeResult] {
        try sweep(targets, options: options, stop: interruption.map { ProbeStop(interruption: $0, stopOnAnswer: false) })
    }

    static func sweep(_ targets: [String], options: ProbeOptions, stop: ProbeStop?) throws -> [String: ProbeResult] {
        let options = try options.validated()
        let schedule = ProbeSchedule(
            spacing: options.timeout, maxAttempts: options.retries + 1, probeTimeout: options.timeout,
            deadline: .infinity, unreachableIsFinal: true,
            silenceMessage: "no reply", stop: stop)
        return try run(targets, options: options, schedule: schedule)
    }

    /// Whether one target answers.
    public static func isUp(_ target: String, options: ProbeOptions = ProbeOptions()) throws -> Bool {
        try sweep([target], options: options)[target]?.up ?? false
    }

    /// Probes until every target has answered (with `any`: until one has) or `timeout` seconds
    /// passed, and returns the moment the last one answers. A probe goes to each silent target
    /// every `interval` seconds; an answer to any earlier probe counts, so a host that comes up
    /// is seen at its next probe. A target whose latest probe failed on this machine is
    /// `unknown`, never down. With `interruption`, a raised flag ends the wait within about
    /// 50 ms by throwing `InterruptedError`.
    public static func waitUp(
        _ targets: [String], options: ProbeOptions = ProbeOptions(), timeout: Double = ProbeWait.defaultTimeout,
        interval: Double = ProbeWait.defaultInterval, any: Bool = false, interruption: Interruption? = nil
    ) throws -> [String: ProbeResult] {
        try waitUp(targets, options: options, timeout: timeout, interval: interval,
                   stop: ProbeStop(interruption: interruption, stopOnAnswer: any))
    }

    static func waitUp(
        _ targets: [String], options: ProbeOptions, timeout: Double, interval: Double, stop: ProbeStop
    ) throws -> [String: ProbeResult] {
        let options = try options.validated()
        let timeout = try OptionCheck.seconds(timeout, field: "timeout")
        let interval = try OptionCheck.seconds(interval, field: "interval")
        let schedule = ProbeSchedule(
            spacing: interval, maxAttempts: nil, probeTimeout: options.timeout,
            deadline: NetSys.monotonic() + timeout, unreachableIsFinal: false,
            silenceMessage: "no reply within \(DurationText.plain(timeout)) s", stop: stop)
        return try run(targets, options: options, schedule: schedule)
    }

    private static func run(
        _ targets: [String], options: ProbeOptions, schedule: ProbeSchedule
    ) throws -> [String: ProbeResult] {
        // validated() made sure a `via` is numeric.
        let via = options.via.flatMap { SocketAddress(numeric: $0) }
        var results: [String: ProbeResult] = [:]
        var names: [String] = []
        var seen = Set<String>()
        var addresses: [SocketAddress] = []
        // Each distinct name resolves once per sweep; names that fail are decided here.
        for name in targets where seen.insert(name).inserted {
            switch HostResolver.resolve(name) {
            case .success(let address):
                names.append(name)
                addresses.append(address)
            case .failure(let failure):
                // A resolver that cannot be asked (no DNS server reachable) knows nothing about the host.
                results[name] = ProbeResult(up: false, error: failure.message, unknown: failure.temporary)
            }
        }
        guard !addresses.isEmpty else { return results }
        let transport: ProbeTransport
        if options.netbios {
            transport = NBNSTransport(addresses: addresses, via: via)
        } else if options.arp {
            transport = try ARPTransport(addresses: addresses, via: via)
        } else if let port = options.tcpPort {
            transport = TCPTransport(addresses: addresses, port: port, via: via, probeTimeout: options.timeout,
                                     listening: options.listening)
        } else {
            transport = try ICMPTransport(addresses: addresses, kind: options.icmpSocket, via: via)
        }
        var schedule = schedule
        schedule.targetNames = names
        let decided = ProbeScheduler(schedule: schedule).run(count: addresses.count, transport: transport)
        if let signal = schedule.stop?.interruptedBy { throw InterruptedError(signal: signal) }
        var link = LocalLink()
        for (index, var result) in decided {
            // Silence or "unreachable" through a NIC without carrier says nothing about the host.
            if !result.up, !result.unknown, let problem = link.problem(reaching: addresses[index], from: via) {
                result = ProbeResult(up: false, error: problem, unknown: true)
            }
            results[names[index]] = result
        }
        return results
    }
}
