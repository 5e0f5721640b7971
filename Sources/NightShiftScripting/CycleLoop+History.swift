import Foundation
import NightShiftBase
import NightShiftCore

/// The history's upkeep in the loop: counters kept beside the records, retention once a day.
extension CycleLoop {
    /// At start, holding the lock: state.json's counters are brought up to date. For a state
    /// written before the counters existed this reads the whole history once (the upgrade),
    /// and the counters say when; every later cycle reads only what it appended.
    func countHistory(stateDir: String) {
        let store = StateStore(directory: stateDir)
        do {
            let loaded = try store.load(quarantine: false)
            // A missing or corrupt state file stays as it is: the first cycle must see it so
            // (unknown state: no power-off, and a corrupt file is quarantined, not overwritten).
            // Its first state write counts the history instead.
            guard loaded.condition.isKnown else { return }
            // This write keeps the values the load reset: say which, as every load of the state does.
            for warning in loaded.warnings { log.warn("\(store.path): \(warning)") }
            var state = loaded.state
            let update = try HistoryCounters.catchUp(&state, directory: stateDir, now: Date().timeIntervalSince1970)
            if case .recounted(let lines) = update {
                log.info("Counted the \(lines) line(s) of \(HistoryLog(directory: stateDir).path) once; "
                         + "the counters now live in \(store.path)")
            }
            try store.save(state)
        } catch {
            log.error("Cannot count the history into \(store.path): \(error)")
        }
    }

    /// Counts the records appended since `state` last counted them. A history that cannot be
    /// read is reported where it is written; here it only leaves the counters behind (the
    /// next update catches up), never failing the state write that carries them.
    func countNewRecords(_ state: inout NightShiftState, stateDir: String, now: Double) {
        do { try HistoryCounters.catchUp(&state, directory: stateDir, now: now) } catch {
            log.debug("Cannot count the new records of the history: \(error)")
        }
    }

    /// `settings.history_keep`: drops the records older than the limit, at most once a day; a
    /// failure is logged, never fatal (the file keeps its records and only grows).
    func keepHistory(_ settings: SiteSettings, now: Double) {
        guard !options.dryRun, let keep = settings.historyKeep else { return }
        do {
            if let outcome = try HistoryRetention.apply(stateDir: settings.stateDir, keep: keep, now: now),
               outcome.dropped > 0 {
                log.info("history_keep: dropped \(outcome.dropped) record(s) older than \(DurationText.format(keep)) "
                         + "from history.jsonl, kept \(outcome.kept)")
            }
        } catch {
            log.error("history_keep: cannot rewrite the history of \(settings.stateDir): \(error)")
        }
    }
}
