import LuaBinding
import NightShiftCore

/// `ns.power.*`: this machine's sleep states (the stdlib puts the self host's actions first).
enum PowerBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        // core.power_modes: the one list of sleep modes (PowerAction), which ns.power, a host's
        // power actions and the DSL's `self_sleep` / `after` values are made from.
        m.setCore("power_modes", .table(LuaTable(array: PowerAction.allCases.map { .string($0.rawValue) })))
        for action in PowerAction.allCases {
            let mode = action.rawValue
            try m.add("power.\(mode)") { _ in
                if context.options.dryRun {
                    context.dryRun("\(mode) this machine (\(action.argv.joined(separator: " ")))")
                    return [true]
                }
                switch context.power.perform(action) {
                case .success: return [true]
                case .failure(let error): return [.nil, .string(error.description)]
                }
            }
        }
    }
}
