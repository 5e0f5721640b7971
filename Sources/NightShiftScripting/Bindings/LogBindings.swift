import Foundation
import LuaBinding
import NightShiftCore

/// Logging, waiting and the plain facts: `ns.log.*` (via the prelude), `ns.countdown`,
/// `ns.sleep`, `ns.now`, `ns.hostname`, `ns.format_duration`, flags and version.
enum LogBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        let log = context.log
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
        try m.add("countdown") { args in
            let seconds = try args.number(1)
            let text = try args.optionalString(2) ?? "Next check in"
            do {
                try Countdown.run(seconds: context.bounded(seconds), text: text, log: log, interruption: context.interruption)
            } catch {
                try context.checkInterrupted()
            }
            return []
        }
        try m.add("sleep") { args in
            let seconds = try args.number(1)
            guard seconds >= 0, seconds.isFinite else { throw args.error(1, "seconds must be >= 0") }
            do { try context.interruption.sleep(seconds: context.bounded(seconds)) } catch { try context.checkInterrupted() }
            return []
        }
        try m.add("now", traced: false) { _ in [.number(context.now())] }
        // Lets the stdlib tell a real SIGINT/SIGTERM from an error that merely says "interrupted".
        try m.addCore("interrupted", traced: false, interruptible: false) { _ in [.boolean(context.interruption.isTriggered)] }
        try m.add("hostname") { _ in [.string(ProcessInfo.processInfo.hostName)] }
        try m.add("format_duration", traced: false) { args in [.string(DurationText.format(try args.number(1)))] }
        m.set("dry_run", .boolean(context.options.dryRun))
        m.set("debug", .boolean(context.options.debug))
        m.set("manual", .boolean(context.options.manual))
        m.set("version", .string(NightShiftVersion.string))
    }
}
