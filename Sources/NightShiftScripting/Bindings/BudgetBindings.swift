import LuaBinding
import NightShiftCore

/// `core.bounded` (a protected call with a time limit), `core.budget_pause` / `budget_resume` (work
/// with bounds of its own, like a job the routine runs, is not charged to the routine) and
/// `core.mono` (the monotonic clock, for durations that a stepped wall clock cannot bend).
enum BudgetBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        m.setCore("bounded", try m.lua.boundedCall())
        try m.addCore("budget_pause", traced: false, interruptible: false) { _ in
            [.table(LuaTable(array: context.budget.pause().map { .boolean($0) }))]
        }
        try m.addCore("budget_resume", traced: false, interruptible: false) { args in
            context.budget.resume(try args.table(1).array.map(\.isTruthy))
            return []
        }
        try m.addCore("mono", traced: false, interruptible: false) { _ in
            let t = ContinuousClock.now - monotonicOrigin
            return [.number(Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18)]
        }
    }

    /// A fixed instant; `core.mono` counts from it (only differences are meaningful).
    private static let monotonicOrigin = ContinuousClock.now
}
