import LuaBinding
import NightShiftCore

/// What `nightshift ping --script` prints for one host.
public struct SiteProbe: Sendable {
    /// Whether any of its addresses answered.
    public var up: Bool
    /// The address that answered.
    public var ip: String?
    /// Round trip of the answer, milliseconds.
    public var rttMs: Double?
    /// Why it is down (or unknown).
    public var error: String?
    /// The probe could not be made: neither up nor down.
    public var unknown: Bool
    /// Which probe answered when the host is asked several ways ("icmp", "arp", ...).
    public var probe: String?
    /// Seen by ARP alone and silent to NetBIOS: counted offline (a sleeping PC's NIC answers ARP).
    public var asleep: Bool = false
}

/// The CLI tools with a site script (`nightshift ping|wake|time --script`): host names resolve
/// through the standard library's `ns.hosts`, so a tool probes and wakes exactly as the night would.
extension ScriptRuntime {
    /// Probes the named hosts with their own addresses, `via`, probe kind and the site's ping settings.
    public func probeHosts(_ names: [String]) throws -> [String: SiteProbe] {
        let table = try hostsFunction("probe", [.table(LuaTable(array: names.map { .string($0) }))]).first?.tableValue ?? LuaTable()
        var out: [String: SiteProbe] = [:]
        for name in names {
            let r = table[name].tableValue ?? LuaTable()
            out[name] = SiteProbe(up: r["up"].isTruthy, ip: r["ip"].stringValue, rttMs: r["rtt_ms"].doubleValue,
                                  error: r["error"].stringValue, unknown: r["unknown"].isTruthy,
                                  probe: r["probe"].stringValue, asleep: r["asleep"].isTruthy)
        }
        return out
    }

    /// Wakes the named host as the night does (all its MACs, `via`, interface, broadcast, password); packets sent.
    public func wakeHost(_ name: String) throws -> Int {
        Int(try hostsFunction("wake", [.string(name)]).first?.integerValue ?? 0)
    }

    /// The host's first address (what the night queries a time source at).
    public func hostAddress(_ name: String) throws -> String? {
        let host = try hostsFunction("get", [.string(name)]).first?.tableValue
        return host?["ip"].tableValue?.array.first?.stringValue
    }

    private func hostsFunction(_ name: String, _ arguments: [LuaValue]) throws -> [LuaValue] {
        guard case .function(let f) = try lua.execute("return ns.hosts.\(name)").first else {
            throw LuaError(message: "ns.hosts.\(name) is not a function")
        }
        return try lua.call(f, arguments)
    }
}
