import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// The plain facts of this run: `ns.hostname`, `ns.format_duration`, the flags
/// (`ns.dry_run`, `ns.debug`, `ns.manual`) and `ns.version`.
enum FactBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let options = m.context.options
        try m.add("hostname") { _ in [.string(ProcessInfo.processInfo.hostName)] }
        try m.add("format_duration", traced: false) { args in [.string(DurationText.format(try args.number(1)))] }
        // core.exit_status: ExitStatus's numbers by name (ok, failed, usage, ...), so the cycle's
        // result code is never a literal of its own.
        m.setCore("exit_status", .table(LuaTable(Dictionary(uniqueKeysWithValues: ExitStatus.allCases.map {
            ("\($0)", LuaValue.integer(Int64($0.code)))
        }))))
        // core.format_size(bytes): "1.5 GiB", the one way sizes are written (SizeText).
        try m.addCore("format_size", traced: false) { args in
            let bytes = try args.number(1)
            return [.string(Int64(exactly: bytes.rounded()).map(SizeText.describe) ?? "?")]
        }
        m.set("dry_run", .boolean(options.dryRun))
        m.set("debug", .boolean(options.debug))
        m.set("manual", .boolean(options.manual))
        m.set("version", .string(NightShiftVersion.string))
    }
}
