import LuaBinding
import NightShiftCore

/// Builds the `nightshift` Lua table and the private core table (the bindings only the
/// embedded library sees) from Swift closures, wrapping each primitive with the checks
/// every primitive shares: stop at once after SIGINT/SIGTERM, and trace the call and its
/// result under `--debug`.
struct ModuleBuilder {
    let lua: LuaState
    let context: ScriptContext
    /// The public module (`require "nightshift"`).
    private(set) var table = LuaTable()
    /// The private core table, passed to each embedded chunk and never to a site script.
    private(set) var core = LuaTable()

    init(lua: LuaState, context: ScriptContext) {
        self.lua = lua
        self.context = context
    }

    /// Adds `ns.<path>` (dotted for sub-tables, e.g. "time.query").
    mutating func add(_ path: String, traced: Bool = true, interruptible: Bool = true,
                      _ body: @escaping LuaSwiftFunction) throws {
        let fn = try function(path, shown: "ns." + path, traced: traced, interruptible: interruptible, body)
        set(path, fn)
    }

    /// Adds `core.<path>`: an internal binding of the embedded library.
    mutating func addCore(_ path: String, traced: Bool = true, interruptible: Bool = true,
                          _ body: @escaping LuaSwiftFunction) throws {
        let fn = try function(path, shown: "core." + path, traced: traced, interruptible: interruptible, body)
        setCore(path, fn)
    }

    private func function(_ path: String, shown: String, traced: Bool, interruptible: Bool,
                          _ body: @escaping LuaSwiftFunction) throws -> LuaValue {
        let context = self.context
        let name = path.split(separator: ".").last.map(String.init) ?? path
        let fn = try lua.function(name) { args in
            if interruptible { try context.checkInterrupted() }
            guard traced, context.log.isDebugEnabled else {
                let results = try body(args)
                // A wait the time limit cut short ends the site code here, not one call later.
                if interruptible { try context.checkInterrupted() }
                return results
            }
            let call = "\(shown)(\(args.values.map(DebugText.render).joined(separator: ", ")))"
            do {
                let results = try body(args)
                context.log.debug("\(call) -> \(results.map(DebugText.render).joined(separator: ", "))")
                return results
            } catch {
                context.log.debug("\(call) raised: \(error)")
                throw error
            }
        }
        return fn
    }

    /// Sets a plain value at `ns.<path>`.
    mutating func set(_ path: String, _ value: LuaValue) {
        Self.put(value, at: path, in: &table)
    }

    /// Sets a plain value at `core.<path>`.
    mutating func setCore(_ path: String, _ value: LuaValue) {
        Self.put(value, at: path, in: &core)
    }

    private static func put(_ value: LuaValue, at path: String, in table: inout LuaTable) {
        let parts = path.split(separator: ".").map(String.init)
        if parts.count == 1 {
            table[parts[0]] = value
        } else {
            var sub = table[parts[0]].tableValue ?? LuaTable()
            sub[parts[1]] = value
            table[parts[0]] = .table(sub)
        }
    }
}

/// Short renderings of Lua values for debug traces (long strings cut, no secrets).
enum DebugText {
    static func render(_ value: LuaValue) -> String {
        switch value {
        case .string(let s):
            let cut = s.count > 120 ? String(s.prefix(120)) + "...(\(s.utf8.count) bytes)" : s
            return "\"" + cut.replacingOccurrences(of: "\n", with: "\\n") + "\""
        case .table(let t):
            // Array items in their real order (1, 2, ..., 10), then named fields by name.
            let parts = t.entries.sorted { a, b in
                switch (a.key.integerValue, b.key.integerValue) {
                case let (x?, y?): return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                default: return "\(a.key)" < "\(b.key)"
                }
            }.prefix(20).map { k, v -> String in
                if case .string(let key) = k {
                    return key == "password" ? "password=<hidden>" : "\(key)=\(render(v))"
                }
                return render(v)
            }
            return "{" + parts.joined(separator: ", ") + "}"
        default:
            return value.description
        }
    }
}
