import Foundation
import NightShiftCore

/// What a stop by a signal writes to state.json and history.jsonl: running jobs become
/// `interrupted`, a running night counts as a failed attempt, the cycle is closed.
///
/// Plain values and Swift only (no Lua state, no `ScriptContext`), so the stop watchdog can
/// write it from its own thread while the Lua thread is stuck (docs/design.md, invariant 15).
struct InterruptRecord: Sendable {
    /// The state directory; nil under --dry-run or before a script set one.
    var stateDir: String?
    /// When the current cycle began (epoch seconds).
    var cycleStart: Double
    /// `settings.max_attempts` of the loaded script, once known.
    var maxAttempts: Int64?
    /// Whether the run was started with --manual.
    var manual: Bool
    /// The log.
    var log: NightShiftLog

    /// Writes the stop by `signal` at `now`; `duringCycle` false: it came while counting down.
    func write(signal: Int32, now: Double, duringCycle: Bool) {
        let name = signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "signal \(signal)"
        guard let stateDir else {
            log.warn("Interrupted by \(name)")
            return
        }
        let store = StateStore(directory: stateDir)
        do {
            var state = try store.load().state
            let jobs = state.markRunningJobsInterrupted(at: now, reason: "interrupted by \(name)")
            // The night counts as an attempt that failed; the window is not used up by it.
            let wasNight = state.night.running != nil
            // A night ran, so a script was loaded and its max_attempts is known.
            if wasNight, let maxAttempts {
                state.night.finish(.interrupted, at: now, maxAttempts: Int(clamping: maxAttempts))
            }
            if duringCycle {
                state.lastCycle = CycleState(start: cycleStart, end: now, nextCheck: nil,
                                             reason: "interrupted by \(name)")
            } else if state.lastCycle != nil {
                // Stopped while counting down: the check it announced will not come, so
                // `status` must not show it as due.
                state.lastCycle?.nextCheck = nil
                state.lastCycle?.stoppedAt = now
                state.lastCycle?.stoppedBy = "interrupted by \(name)"
            }
            try store.save(state)
            let history = HistoryLog(directory: store.directory)
            for job in jobs {
                try? history.append(.job(JobRecord(
                    name: job, start: state.jobs[job]?.lastStart ?? now, end: now, result: .interrupted,
                    reason: "interrupted by \(name)")))
            }
            if duringCycle {
                try? history.append(.cycle(CycleRecord(
                    start: cycleStart, end: now, ran: wasNight, reason: "interrupted by \(name)",
                    result: "interrupted", manual: manual, dryRun: false)))
            }
            // The records above are counted in state.json before the process ends.
            if !jobs.isEmpty || duringCycle {
                _ = try? HistoryCounters.catchUp(&state, directory: stateDir, now: now)
                try store.save(state)
            }
            log.warn("Interrupted by \(name)\(jobs.isEmpty ? "" : "; marked interrupted: \(jobs.joined(separator: ", "))")")
        } catch {
            log.error("Interrupted by \(name); cannot record it: \(error)")
        }
    }
}
