import Foundation
import LuaBinding
import NightShiftCore

/// `ns.ping`, `ns.is_up`, `ns.wait_up`, `ns.wake`: the core's prober and WoL sender.
enum NetworkBindings {
    static let pingOptions: Set<String> = ["timeout", "retries", "via", "tcp"]
    static let waitOptions: Set<String> = ["timeout", "retries", "via", "tcp", "interval", "any", "probe_timeout"]
    static let wakeOptions: Set<String> = ["broadcast", "port", "via", "interface", "password", "repeat"]

    static func targets(_ args: LuaArguments, _ position: Int, defaults: ProbeOptions) throws -> [ProbeTarget] {
        func port(_ v: LuaValue, _ what: String) throws -> UInt16? {
            if v.isNil { return nil }
            guard let p = v.integerValue, p >= 1, p <= 65535 else { throw args.error(position, "\(what) must be a port number (1-65535)") }
            return UInt16(p)
        }
        func one(_ v: LuaValue, index: Int?) throws -> ProbeTarget {
            let label = index.map { "target \($0)" } ?? "target"
            switch v {
            case .string, .bytes:
                return ProbeTarget(address: v.stringValue!, via: defaults.via, tcpPort: defaults.tcpPort)
            case .table(let t):
                guard let address = t[1].stringValue else { throw args.error(position, "\(label): address expected at [1]") }
                let via = t["via"].isNil ? defaults.via : t["via"].stringValue
                let tcp = t["tcp"].isNil ? defaults.tcpPort : try port(t["tcp"], "\(label): tcp")
                return ProbeTarget(address: address, via: via, tcpPort: tcp)
            default:
                throw args.error(position, "\(label): string expected, got \(v.typeName)")
            }
        }
        switch args[position] {
        case .string, .bytes: return [try one(args[position], index: nil)]
        case .table(let t) where t.isSequence && t.count > 0:
            return try t.array.enumerated().map { try one($1, index: $0 + 1) }
        case .table(let t) where t.entries.isEmpty:
            return []
        default:
            throw args.typeError(position, expected: "string or array")
        }
    }

    static func probeOptions(_ o: LuaOptions, args: LuaArguments, timeoutKey: String = "timeout") throws -> ProbeOptions {
        var p = ProbeOptions()
        if let t = try o.nonNegative(timeoutKey) { p.timeout = t }
        if let r = try o.integer("retries") {
            guard r >= 0 else { throw args.error(2, "field 'retries' must be >= 0") }
            p.retries = Int(r)
        }
        p.via = try o.string("via")
        if let port = try o.integer("tcp") {
            guard port >= 1, port <= 65535 else { throw args.error(2, "field 'tcp' must be a port number (1-65535)") }
            p.tcpPort = UInt16(port)
        }
        return p
    }

    /// Probes targets grouped by their options; the groups run concurrently.
    static func table(_ results: [String: ProbeResult]) -> LuaValue {
        var t = LuaTable()
        for (target, r) in results {
            var entry = LuaTable(["up": .boolean(r.up)])
            if let rtt = r.rttMilliseconds { entry["rtt_ms"] = .number(rtt) }
            if let e = r.error { entry["error"] = .string(e) }
            // Not "down" but "we could not look": callers must not read it as offline.
            if r.unknown { entry["unknown"] = true }
            t[target] = .table(entry)
        }
        return .table(t)
    }

    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.add("ping") { args in
            let o = try args.options(2, allowed: pingOptions)
            let base = try probeOptions(o, args: args)
            return [table(Prober.probe(try targets(args, 1, defaults: base), options: base))]
        }
        try m.add("is_up") { args in
            let o = try args.options(2, allowed: pingOptions)
            let base = try probeOptions(o, args: args)
            let t = try targets(args, 1, defaults: base)
            guard t.count == 1 else { throw args.error(1, "one target expected") }
            return [.boolean(Prober.probe(t, options: base)[t[0].address]?.up ?? false)]
        }
        try m.add("wait_up") { args in
            let o = try args.options(2, allowed: waitOptions)
            var base = try probeOptions(o, args: args, timeoutKey: "probe_timeout")
            if !o.has("probe_timeout") { base.timeout = 1 }
            let timeout = try o.nonNegative("timeout") ?? 180
            let interval = try o.nonNegative("interval") ?? 2
            guard interval > 0 else { throw args.error(2, "field 'interval' must be > 0") }
            let all = try targets(args, 1, defaults: base)
            let any = try o.bool("any") ?? false
            // Wait in slices of one interval so SIGINT/SIGTERM is noticed between them;
            // within a slice the prober returns the moment the last target answers.
            let deadline = context.now() + timeout
            while true {
                let slice = max(0, min(interval, deadline - context.now()))
                let r = Prober.probe(all, options: base, wait: (slice, interval))
                let done = any ? r.values.contains(where: \.up) : r.values.allSatisfy(\.up)
                if done || context.now() >= deadline { return [table(r)] }
                try context.checkInterrupted()
            }
        }
        try m.add("wake") { args in
            let macs: [MACAddress] = try args.stringList(1).map { text in
                do { return try MACAddress(parsing: text) } catch { throw args.error(1, "invalid MAC address \"\(text)\"") }
            }
            guard !macs.isEmpty else { throw args.error(1, "at least one MAC address expected") }
            let o = try args.options(2, allowed: wakeOptions)
            var w = WakeOptions()
            if let b = try o.string("broadcast") { w.broadcast = b }
            if let p = try o.integer("port") {
                guard p >= 1, p <= 65535 else { throw args.error(2, "field 'port' must be a port number (1-65535)") }
                w.port = UInt16(p)
            }
            w.via = try o.string("via")
            w.interface = try o.string("interface")
            if let pw = try o.string("password") {
                do { w.password = try WakeOnLAN.parsePassword(pw) } catch { throw args.error(2, "field 'password': \(error)") }
            }
            if let r = try o.integer("repeat") {
                guard r >= 1 else { throw args.error(2, "field 'repeat' must be >= 1") }
                w.repeatCount = Int(r)
            }
            if context.options.dryRun {
                let route = (w.via.map { " via \($0)" } ?? "") + (w.interface.map { " on \($0)" } ?? "")
                for mac in macs {
                    context.dryRun("send \(w.repeatCount) magic packet(s) for \(mac) to \(w.broadcast):\(w.port)\(route)\(w.password == nil ? "" : " with SecureOn password")")
                }
                return [.integer(Int64(macs.count * w.repeatCount))]
            }
            do {
                return [.integer(Int64(try WakeOnLAN.send(macs, options: w)))]
            } catch {
                throw LuaRuntimeError("wake: \(error)")
            }
        }
    }
}
