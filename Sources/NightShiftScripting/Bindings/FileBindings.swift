import LuaBinding
import NightShiftCore

/// `core.cycle_log` and `core.write_file`: what the failure report hook needs.
enum FileBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.addCore("cycle_log") { _ in
            guard let path = context.log.path else { return [""] }
            // Sent out (a Healthchecks /fail body) or copied into the report: URLs redacted.
            return [.string(URLRedaction.redactURLs(in: FailureReport.excerpt(logPath: path, from: context.cycleLogOffset)))]
        }
        // resolve_report(path, resolved_path, note) -> true (there was one) | false | nil, why
        try m.addCore("resolve_report") { args in
            let path = try args.string(1), resolved = try args.string(2), note = try args.string(3)
            if context.options.dryRun {
                if FailureReport.isPresent(path) { context.dryRun("mark \(path) resolved as \(resolved)") }
                return [false]
            }
            do {
                return [.boolean(try FailureReport.markResolved(path, as: resolved, note: note))]
            } catch {
                return [.nil, .string("\(error)")]
            }
        }
        try m.addCore("write_file") { args in
            let path = try args.string(1)
            let text = try args.string(2)
            if context.options.dryRun {
                context.dryRun("write \(path)")
                return [true]
            }
            do {
                try FailureReport.write(text, to: path)
                return [true]
            } catch {
                return [.nil, .string("\(error)")]
            }
        }
    }
}
