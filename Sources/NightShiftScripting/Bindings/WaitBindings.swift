import LuaBinding
import NightShiftCore

/// Waiting and the time: `ns.countdown`, `ns.sleep`, `ns.now`. Every wait is clamped to the
/// running time scope and ends at once on SIGINT/SIGTERM.
enum WaitBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.add("countdown") { args in
            let seconds = try args.number(1)
            let text = try args.optionalString(2) ?? "Next check in"
            do {
                try Countdown.run(seconds: context.bounded(seconds), text: text, log: context.log, interruption: context.interruption)
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
    }
}
