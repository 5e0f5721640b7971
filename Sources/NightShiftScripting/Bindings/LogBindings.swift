import LuaBinding
import NightShiftCore

/// Logging: the two raw entries behind `ns.log.*` (the prelude wraps them with formatting).
enum LogBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let log = m.context.log
        try m.addCore("rawlog", traced: false) { args in
            let level = try args.string(1)
            let message = try args.string(2)
            switch level {
            case "debug": log.debug(message)
            case "info": log.info(message)
            case "warn": log.warn(message)
            case "error": log.error(message)
            case "console": log.console(message)
            case "file": log.file(message)
            default: throw args.error(1, "unknown log level '\(level)'")
            }
            return []
        }
        try m.addCore("logpath", traced: false) { _ in [log.path.map { .string($0) } ?? .nil] }
    }
}
