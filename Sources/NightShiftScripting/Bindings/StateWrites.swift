import Foundation
import LuaBinding
import NightShiftCore

/// The state and history writes behind `core.state.*`: skipped under --dry-run, and a
/// write that fails is logged and answered with `false` ("state unknown": no power-off).
struct StateWrites {
    let context: ScriptContext

    /// Loads, changes and saves the state; false when it could not be written.
    func update(_ what: String, _ change: (inout NightShiftState) -> Void) -> Bool {
        guard let store = context.stateStore else { return false }
        if context.options.dryRun { return true }
        do {
            var state = try store.load(now: context.nowDate).state
            change(&state)
            try store.save(state)
            return true
        } catch {
            context.recordFailed("Cannot record \(what) in \(store.path): \(error)")
            return false
        }
    }

    /// Counts the records appended since the state last counted them; a history that cannot
    /// be read leaves the counters as they were (the next write catches up).
    func countHistory(_ state: inout NightShiftState) {
        guard let dir = context.stateDirectory else { return }
        do { try HistoryCounters.catchUp(&state, directory: dir, now: context.now()) } catch {
            context.log.debug("Cannot count the new records of the history: \(error)")
        }
    }

    /// Appends one record to history.jsonl (nothing under --dry-run).
    func append(_ record: HistoryRecord) {
        guard let dir = context.stateDirectory, !context.options.dryRun else { return }
        do { try HistoryLog(directory: dir).append(record) } catch { context.recordFailed("Cannot append to history: \(error)") }
    }
}
