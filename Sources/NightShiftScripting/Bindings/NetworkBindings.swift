import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `ns.ping`, `ns.is_up`, `ns.wait_up`, `ns.wake`: the core's prober and WoL sender.
enum NetworkBindings {
    static let pingOptions: Set<String> = ["timeout", "retries", "via", "tcp", "probe", "listening"]
    static let waitOptions: Set<String> = ["timeout", "retries", "via", "tcp", "probe", "listening", "interval", "any", "probe_timeout"]
    static let wakeOptions: Set<String> = ["broadcast", "port", "via", "interface", "password", "repeat"]

    /// Runs one of the core's shared option checks; its error becomes Lua's "bad argument".
    static func check<T>(_ args: LuaArguments, _ position: Int, _ body: () throws(OptionError) -> T) throws -> T {
        do { return try body() } catch { throw args.error(position, error.description) }
    }

    /// A `probe` value: "icmp", "tcp:PORT", "arp", "auto", or an array of these; nil for nil.
    static func probeMethods(_ v: LuaValue) throws(OptionError) -> [ProbeMethod]? {
        let requirement = "must be \"icmp\", \"tcp:PORT\", \"arp\", \"auto\" or an array of these"
        func one(_ item: LuaValue) throws(OptionError) -> ProbeMethod {
            guard let text = item.stringValue else { throw OptionError(field: "probe", requirement: "\(requirement), got \(item.typeName)") }
            guard let method = ProbeMethod(parsing: text) else {
                throw OptionError(field: "probe", requirement: "\(requirement), got \"\(text)\"")
            }
            return method
        }
        switch v {
        case .nil: return nil
        case .string, .bytes: return [try one(v)]
        case .table(let t) where t.isSequence && t.count > 0:
            var methods: [ProbeMethod] = []
            for item in t.array { methods.append(try one(item)) }
            return methods
        default:
            throw OptionError(field: "probe", requirement: "\(requirement), got \(v.typeName)")
        }
    }

    /// The ways `opts` asks to probe: `probe`, else `tcp`, else ICMP; both at once is an error.
    static func defaultProbes(_ args: LuaArguments, _ defaults: ProbeOptions) throws -> [ProbeMethod] {
        let o = args[2].tableValue
        let probes = try check(args, 2) { () throws(OptionError) in try probeMethods(o?["probe"] ?? .nil) }
        if probes != nil, defaults.tcpPort != nil {
            throw args.error(2, "field 'tcp': cannot be combined with 'probe' (write probe = \"tcp:PORT\")")
        }
        return probes ?? [defaults.tcpPort.map { .tcp($0) } ?? .icmp]
    }

    static func targets(_ args: LuaArguments, _ position: Int, defaults: ProbeOptions) throws -> [ProbeTarget] {
        let probes = try defaultProbes(args, defaults)
        func one(_ v: LuaValue, index: Int?) throws -> ProbeTarget {
            let label = index.map { "target \($0)" } ?? "target"
            var target: ProbeTarget
            switch v {
            case .string, .bytes:
                target = ProbeTarget(address: v.stringValue!, via: defaults.via, probes: probes)
            case .table(let t):
                guard let address = t[1].stringValue else { throw args.error(position, "\(label): address expected at [1]") }
                target = ProbeTarget(address: address, via: defaults.via, probes: probes)
                if !t["via"].isNil {
                    guard let via = t["via"].stringValue else { throw args.error(position, "\(label): via must be a string") }
                    target.via = via
                }
                if !t["tcp"].isNil {
                    guard let port = t["tcp"].integerValue else { throw args.error(position, "\(label): tcp \(OptionCheck.portRequirement)") }
                    guard t["probe"].isNil else {
                        throw args.error(position, "\(label): tcp cannot be combined with probe (write probe = \"tcp:PORT\")")
                    }
                    do { target.probes = [.tcp(try OptionCheck.port(port, field: "tcp"))] } catch {
                        throw args.error(position, "\(label): tcp \(error.requirement)")
                    }
                }
                do {
                    if let own = try probeMethods(t["probe"]) { target.probes = own }
                } catch {
                    throw args.error(position, "\(label): probe \(error.requirement)")
                }
            default:
                throw args.error(position, "\(label): string expected, got \(v.typeName)")
            }
            if target.address.utf8.contains(0) { throw args.error(position, "\(label) must not contain a NUL byte") }
            if target.via != defaults.via {
                var own = defaults
                own.via = target.via
                do { _ = try own.validated() } catch {
                    throw args.error(position, "\(label): via \(error.requirement)")
                }
            }
            return target
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

    /// A duration option: more than 0, finite, at most 10 years (the core's `OptionCheck`).
    static func seconds(_ o: LuaOptions, _ key: String, args: LuaArguments) throws -> Double? {
        guard let value = try o.number(key) else { return nil }
        return try check(args, 2) { () throws(OptionError) in try OptionCheck.seconds(value, field: key) }
    }

    static func probeOptions(_ o: LuaOptions, args: LuaArguments, timeoutKey: String = "timeout") throws -> ProbeOptions {
        var p = ProbeOptions()
        if let t = try seconds(o, timeoutKey, args: args) { p.timeout = t }
        if let r = try o.integer("retries") {
            p.retries = try check(args, 2) { () throws(OptionError) in try OptionCheck.count(r, field: "retries", in: OptionCheck.probeRetries) }
        }
        p.via = try o.string("via")
        if let port = try o.integer("tcp") {
            p.tcpPort = try check(args, 2) { () throws(OptionError) in try OptionCheck.port(port, field: "tcp") }
        }
        p.listening = try o.bool("listening") ?? false
        return try check(args, 2) { () throws(OptionError) in try p.validated() }
    }

    /// Runs a probe; SIGINT/SIGTERM during it raises "interrupted by ..." like other primitives.
    static func probing(_ context: ScriptContext, _ body: () throws(InterruptedError) -> [String: ProbeResult]) throws -> [String: ProbeResult] {
        do { return try body() } catch {
            try context.checkInterrupted()
            throw LuaRuntimeError("\(error)")
        }
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
            if let probe = r.probe { entry["probe"] = .string(probe) }
            if r.asleep { entry["asleep"] = true }
            t[target] = .table(entry)
        }
        return .table(t)
    }

    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.add("ping") { args in
            let o = try args.options(2, allowed: pingOptions)
            let base = try probeOptions(o, args: args)
            let t = try targets(args, 1, defaults: base)
            return [table(try probing(context) { () throws(InterruptedError) in
                try Prober.probe(t, options: base, interruption: context.interruption)
            })]
        }
        try m.add("is_up") { args in
            let o = try args.options(2, allowed: pingOptions)
            let base = try probeOptions(o, args: args)
            let t = try targets(args, 1, defaults: base)
            guard t.count == 1 else { throw args.error(1, "one target expected") }
            let r = try probing(context) { () throws(InterruptedError) in
                try Prober.probe(t, options: base, interruption: context.interruption)
            }
            return [.boolean(r[t[0].address]?.up ?? false)]
        }
        try m.add("wait_up") { args in
            let o = try args.options(2, allowed: waitOptions)
            let base = try probeOptions(o, args: args, timeoutKey: "probe_timeout")
            let wait = ProbeWait(timeout: max(0.001, context.bounded(try seconds(o, "timeout", args: args) ?? ProbeWait.defaultTimeout)),
                                 interval: try seconds(o, "interval", args: args) ?? ProbeWait.defaultInterval,
                                 any: try o.bool("any") ?? false)
            let all = try targets(args, 1, defaults: base)
            // The prober watches the interruption itself: SIGINT/SIGTERM ends the wait within ~50 ms.
            return [table(try probing(context) { () throws(InterruptedError) in
                try Prober.probe(all, options: base, wait: wait, interruption: context.interruption)
            })]
        }
        try m.add("wake") { args in
            let macs: [MACAddress] = try args.stringList(1).map { text in
                do { return try MACAddress(parsing: text) } catch { throw args.error(1, "\(error)") }
            }
            guard !macs.isEmpty else { throw args.error(1, "at least one MAC address expected") }
            let o = try args.options(2, allowed: wakeOptions)
            var w = WakeOptions()
            if let b = try o.string("broadcast") { w.broadcast = b }
            if let p = try o.integer("port") {
                w.port = try check(args, 2) { () throws(OptionError) in try OptionCheck.port(p, field: "port") }
            }
            w.via = try o.string("via")
            w.interface = try o.string("interface")
            if let pw = try o.string("password") {
                do { w.password = try WakeOnLAN.parsePassword(pw) } catch { throw args.error(2, "field 'password': \(error)") }
            }
            if let r = try o.integer("repeat") {
                w.repeatCount = try check(args, 2) { () throws(OptionError) in try OptionCheck.count(r, field: "repeat", in: OptionCheck.wakeRepeats) }
            }
            w = try check(args, 2) { () throws(OptionError) in try w.validated() }
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
