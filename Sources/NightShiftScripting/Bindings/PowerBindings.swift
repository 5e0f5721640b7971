import LuaBinding
import NightShiftCore

/// `ns.power.*`: this machine's sleep states (the stdlib puts the self host's actions first).
enum PowerBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        for mode in ["hibernate", "suspend", "shutdown"] {
            try m.add("power.\(mode)") { _ in
                if context.options.dryRun {
                    context.dryRun("\(mode) this machine (systemctl \(mode == "shutdown" ? "poweroff" : mode))")
                    return [true]
                }
                switch context.power.perform(PowerAction(rawValue: mode)!) {
                case .success: return [true]
                case .failure(let error): return [.nil, .string(error.description)]
                }
            }
        }
    }
}
