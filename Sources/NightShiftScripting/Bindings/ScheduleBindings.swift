import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `core.window(text, now)`: the calendar math of a force window (the trigger itself is Lua).
enum ScheduleBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.addCore("window", traced: false) { args in
            let window: TimeWindow
            do { window = try TimeWindow(parsing: try args.string(1)) } catch { throw args.error(1, "\(error)") }
            let now = Date(timeIntervalSince1970: try args.optionalNumber(2) ?? context.now())
            var t = LuaTable(["next": .number(window.nextStart(after: now).timeIntervalSince1970)])
            if let start = window.windowStart(containing: now), let end = window.windowEnd(containing: now) {
                t["inside"] = true
                t["start"] = .number(start.timeIntervalSince1970)
                t["end"] = .number(end.timeIntervalSince1970)
            } else {
                t["inside"] = false
            }
            return [.table(t)]
        }
    }
}
