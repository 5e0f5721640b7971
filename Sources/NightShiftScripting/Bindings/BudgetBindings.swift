import LuaBinding
import NightShiftCore

/// `ns._bounded` (a protected call with a time limit), `ns._budget_pause` / `_resume` (work
/// with bounds of its own, like a job the routine runs, is not charged to the routine) and
/// `ns._mono` (the monotonic clock, for durations that a stepped wall clock cannot bend).
enum BudgetBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        m.set("_bounded", try m.lua.boundedCall())
        try m.add("_budget_pause", traced: false, interruptible: false) { _ in
            [.table(LuaTable(array: context.budget.pause().map { .boolean($0) }))]
        }
        try m.add("_budget_resume", traced: false, interruptible: false) { args in
            context.budget.resume(try args.table(1).array.map(\.isTruthy))
            return []
        }
        try m.add("_mono", traced: false, interruptible: false) { _ in
            let t = ContinuousClock.now - monotonicOrigin
            return [.number(Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18)]
        }
    }

    /// A fixed instant; `_mono` counts from it (only differences are meaningful).
    private static let monotonicOrigin = ContinuousClock.now
}
