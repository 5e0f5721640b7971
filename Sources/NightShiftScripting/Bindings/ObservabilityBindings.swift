import Foundation
import LuaBinding
import NightShiftCore

/// `core.state.declare_jobs` (staleness bookkeeping) and `core.json` (webhook bodies): internal API.
enum ObservabilityBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        // Foundation's encoder writes the JSON: escaping is not worth hand-writing in Lua.
        try m.addCore("json") { args in
            let object = json(args[1])
            guard JSONSerialization.isValidJSONObject(object) else { throw args.typeError(1, expected: "table") }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return [.string(String(decoding: data, as: UTF8.self))]
        }
        /// Records the declared jobs and their max_age; returns the stale jobs whose
        /// once-a-day `stale` event is due, as `{job=, last_good=, age=, max_age=}`.
        try m.addCore("state.declare_jobs") { args in
            var maxAges: [String: Double] = [:]
            for (k, v) in try args.table(1).entries {
                guard let name = k.stringValue, let age = v.doubleValue else { throw args.error(1, "name -> max_age expected") }
                maxAges[name] = age
            }
            guard let store = context.stateStore else { return [.table(LuaTable())] }
            let now = context.now()
            var due: [StaleJob] = []
            do {
                var state = try store.load(now: context.nowDate).state
                due = state.declareJobs(maxAges, now: now)
                // A rehearsal reports what is stale but leaves the once-a-day mark alone.
                if !context.options.dryRun { try store.save(state) }
            } catch {
                context.recordFailed("Cannot record the jobs' staleness in \(store.path): \(error)")
            }
            return [.table(LuaTable(array: due.map { s in
                var t = LuaTable(["job": .string(s.name), "age": .number(s.age), "max_age": .number(s.maxAge)])
                if let good = s.lastGood { t["last_good"] = .number(good) }
                return .table(t)
            }))]
        }
    }

    /// A Lua value as a JSON object: sequences become arrays; functions and userdata are left out.
    static func json(_ value: LuaValue) -> Any {
        switch value {
        case .nil: return NSNull()
        case .boolean(let b): return b
        case .integer(let i): return i
        case .number(let d): return d.isFinite ? d : NSNull()
        case .string, .bytes: return value.stringValue ?? ""
        case .table(let t):
            if t.count > 0, t.isSequence { return t.array.map(json) }
            var out: [String: Any] = [:]
            for (k, v) in t.entries {
                guard let key = k.stringValue else { continue }
                switch v {
                case .function, .reference: continue
                default: out[key] = json(v)
                }
            }
            return out
        case .function, .reference: return NSNull()
        }
    }
}
