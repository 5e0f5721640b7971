import Glibc

/// ICMP/TCP reachability: `ns.ping`, `ns.is_up`, `ns.wait_up`.
///
/// Every call probes all its targets concurrently from one thread; the synchronous forms block
/// the caller (the Lua thread), the `async` forms run the same loop on a thread of their own.
/// They throw only for setup errors (no ICMP socket permitted, unusable `via`, bad options);
/// a host that is down or a name that does not resolve is a result with `error`.
public enum Prober {
    /// Probes every target once (plus retries) and reports each as up or down.
    public static func sweep(_ targets: [String], options: ProbeOptions = ProbeOptions()) throws -> [String: ProbeResult] {
        let options = try options.validated()
        let schedule = ProbeSchedule(
            spacing: options.timeout, maxAttempts: options.retries + 1, probeTimeout: options.timeout,
            deadline: .infinity, unreachableIsFinal: true, pacing: options.sendInterval,
            silenceMessage: "no reply")
        return try run(targets, options: options, schedule: schedule)
    }

    /// Whether one target answers (`ns.is_up`).
    public static func isUp(_ target: String, options: ProbeOptions = ProbeOptions()) throws -> Bool {
        try sweep([target], options: options)[target]?.up ?? false
    }

    /// Probes until every target has answered or `timeout` seconds passed, and returns the moment
    /// the last one answers. A probe goes to each silent target every `interval` seconds; an
    /// answer to any earlier probe counts, so a host that comes up is seen at its next probe.
    public static func waitUp(
        _ targets: [String], options: ProbeOptions = ProbeOptions(), timeout: Double = 180, interval: Double = 2
    ) throws -> [String: ProbeResult] {
        let options = try options.validated()
        guard timeout.isFinite, timeout >= 0 else { throw NetworkError.invalidOption("wait timeout must not be negative") }
        guard interval.isFinite, interval > 0 else { throw NetworkError.invalidOption("interval must be a positive number of seconds") }
        let schedule = ProbeSchedule(
            spacing: interval, maxAttempts: nil, probeTimeout: options.timeout,
            deadline: NetSys.monotonic() + timeout, unreachableIsFinal: false, pacing: options.sendInterval,
            silenceMessage: "no reply within \(formatSeconds(timeout)) s")
        return try run(targets, options: options, schedule: schedule)
    }

    /// `sweep` without blocking the caller's executor.
    public static func sweep(_ targets: [String], options: ProbeOptions = ProbeOptions()) async throws -> [String: ProbeResult] {
        try await NetworkThread.run { try sweep(targets, options: options) }
    }

    /// `isUp` without blocking the caller's executor.
    public static func isUp(_ target: String, options: ProbeOptions = ProbeOptions()) async throws -> Bool {
        try await NetworkThread.run { try isUp(target, options: options) }
    }

    /// `waitUp` without blocking the caller's executor.
    public static func waitUp(
        _ targets: [String], options: ProbeOptions = ProbeOptions(), timeout: Double = 180, interval: Double = 2
    ) async throws -> [String: ProbeResult] {
        try await NetworkThread.run { try waitUp(targets, options: options, timeout: timeout, interval: interval) }
    }

    private static func run(
        _ targets: [String], options: ProbeOptions, schedule: ProbeSchedule
    ) throws -> [String: ProbeResult] {
        var via: SocketAddress?
        if let text = options.via {
            guard let address = SocketAddress(numeric: text) else {
                throw NetworkError.invalidSourceAddress(text, reason: "not a numeric IPv4 or IPv6 address")
            }
            via = address
        }
        var results: [String: ProbeResult] = [:]
        var names: [String] = []
        var addresses: [SocketAddress] = []
        // Each distinct name resolves once per sweep; names that fail are decided here.
        for name in targets where results[name] == nil && !names.contains(name) {
            switch HostResolver.resolve(name) {
            case .success(let address):
                names.append(name)
                addresses.append(address)
            case .failure(let failure):
                results[name] = ProbeResult(up: false, error: failure.message)
            }
        }
        guard !addresses.isEmpty else { return results }
        let transport: ProbeTransport
        if let port = options.tcpPort {
            transport = TCPTransport(addresses: addresses, port: port, via: via, probeTimeout: options.timeout)
        } else {
            transport = try ICMPTransport(addresses: addresses, kind: options.icmpSocket, via: via)
        }
        let decided = ProbeScheduler(schedule: schedule).run(targets: Array(addresses.indices), transport: transport)
        for (index, result) in decided { results[names[index]] = result }
        return results
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
