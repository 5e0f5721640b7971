import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `ns.parse.*` (validation the DSL uses: value, or nil and a message), `ns.template`,
/// and the Lua allocator's cap (`core.lua_memory`).
enum ParseBindings {
    /// Turns a throwing parse into Lua's `value` / `nil, message` convention.
    static func attempt(_ body: () throws -> LuaValue) -> [LuaValue] {
        do { return [try body()] } catch { return [.nil, .string("\(error)")] }
    }

    static func install(_ m: inout ModuleBuilder) throws {
        try m.add("parse.duration", traced: false) { args in
            switch args[1] {
            case .integer, .number: return attempt { .number(try DurationText.validate(seconds: try args.number(1))) }
            default: return attempt { .number(try DurationText.parse(try args.string(1))) }
            }
        }
        try m.add("parse.size", traced: false) { args in
            switch args[1] {
            case .integer, .number: return attempt { .integer(try SizeText.validate(bytes: try args.number(1))) }
            default: return attempt { .integer(try SizeText.parse(try args.string(1))) }
            }
        }
        // The Lua allocator's cap (`settings.lua_memory`): `core.lua_memory()` reads it in bytes,
        // `core.lua_memory(bytes)` sets it (range-checked like ns.parse.size).
        try m.addCore("lua_memory", traced: false) { args in
            if args[1].isNil { return [.integer(Int64(args.state.memoryLimit))] }
            do {
                args.state.memoryLimit = Int(try SizeText.validate(bytes: try args.number(1)))
            } catch let error as SizeError {
                throw args.error(1, error.message)
            }
            return [.integer(Int64(args.state.memoryLimit))]
        }
        // sandbox.lua turns Lua's bare "not enough memory" into the message naming the cap.
        try m.addCore("memory_error", traced: false, interruptible: false) { args in
            [.string(args.state.explainMemoryError("not enough memory"))]
        }
        try m.add("parse.window", traced: false) { args in
            let text = try args.string(1)
            return attempt { .string(try TimeWindow(parsing: text).description) }
        }
        try m.add("parse.ip", traced: false) { args in
            let text = try args.string(1)
            return attempt { .string(try AddressText.validateIP(text)) }
        }
        try m.add("parse.address", traced: false) { args in
            let text = try args.string(1)
            return attempt { .string(try AddressText.validateAddress(text)) }
        }
        try m.add("parse.mac", traced: false) { args in
            let text = try args.string(1)
            return attempt {
                do { return .string(try MACAddress(parsing: text).description) } catch { throw AddressError("\(error)") }
            }
        }
        try m.add("parse.password", traced: false) { args in
            let text = try args.string(1)
            return attempt {
                do { _ = try WakeOnLAN.parsePassword(text) } catch { throw AddressError("\(error)") }
                return true
            }
        }
        try m.add("template") { args in
            let template = try args.table(1)
            guard template.isSequence, template.count > 0 else { throw args.error(1, "argv template must be a non-empty array") }
            let argv = try template.array.map { v -> String in
                guard let s = v.stringValue else { throw args.error(1, "argv template items must be strings") }
                return s
            }
            var values: [String: String] = [:]
            for (k, v) in try args.optionalTable(2).entries {
                guard let key = k.stringValue, let value = v.stringValue else { throw args.error(2, "values must map names to strings") }
                values[key] = value
            }
            do {
                return [.table(LuaTable(array: try ArgvTemplate.substitute(argv, values: values).map { .string($0) }))]
            } catch {
                throw LuaRuntimeError("\(error)")
            }
        }
    }
}
