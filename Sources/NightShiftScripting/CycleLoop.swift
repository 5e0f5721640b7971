import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// The `nightshift run` loop: each cycle loads the script afresh, runs it, records
/// the outcome, then counts down to the next cycle. A broken edit is logged and the
/// last good version runs instead; a script error fails the cycle, never the loop.
public final class CycleLoop {
    let scriptPath: String
    let options: ScriptOptions
    let once: Bool
    let log: NightShiftLog
    let interruption: Interruption
    /// Ends the process if a stop does not (a hook-less Lua); records what this run knows.
    let watchdog: StopWatchdog
    private var lastGood: [UInt8]?
    private var lock: InstanceLock?
    /// Why the fresh script did not load, when the last good version runs instead.
    private var brokenEdit: String?
    /// The broken edit the failure hooks were last told about (once per edit, not per cycle).
    private var reportedBrokenEdit: String?
    /// Whether the failure hooks heard of the state writes failing (once until a cycle records again).
    private var recordFailureReported = false

    /// Prepares a run of `scriptPath`; `once` runs a single cycle.
    public init(scriptPath: String, options: ScriptOptions, once: Bool, log: NightShiftLog,
                interruption: Interruption = .shared, watchdog: StopWatchdog = .shared) {
        self.scriptPath = scriptPath
        self.options = options
        self.once = once
        self.log = log
        self.interruption = interruption
        self.watchdog = watchdog
    }

    /// Loads the script into a fresh runtime, falling back to the last good source.
    private func load(context: ScriptContext) -> (ScriptRuntime, SiteSettings)? {
        let fresh = FileManager.default.contents(atPath: scriptPath).map { Array($0) }
        var candidates: [([UInt8], String)] = []
        if let fresh { candidates.append((fresh, "")) } else {
            log.error("Cannot read \(scriptPath)")
        }
        if let lastGood, lastGood != fresh { candidates.append((lastGood, " (last good version)")) }
        brokenEdit = nil
        for (source, note) in candidates {
            do {
                let runtime = try ScriptRuntime(context: context)
                let settings = try runtime.loadSite(path: scriptPath, source: source)
                if !note.isEmpty { log.warn("Running the last good version of \(scriptPath)") }
                lastGood = source
                return (runtime, settings)
            } catch let problems as ScriptProblems {
                // Stopped by a signal while the script's top level ran: not a broken script.
                if interruption.isTriggered { return nil }
                if note.isEmpty { brokenEdit = problems.problems.first }
                log.error("\(scriptPath)\(note) has \(problems.problems.count == 1 ? "an error" : "\(problems.problems.count) errors"):")
                for p in problems.problems { log.error("  \(p)") }
                if !problems.traceback.isEmpty { log.file(problems.traceback) }
            } catch {
                log.error("Cannot load \(scriptPath)\(note): \(error)")
            }
        }
        return nil
    }

    /// Runs the loop; returns the process exit code.
    public func run() -> Int32 {
        // With --log-file the file is known before the script runs, so even its top level logs there.
        if let file = options.logFile { try? log.setFile(file) }
        var first = true
        var settings: SiteSettings?
        var code = ExitStatus.ok.code
        while true {
            let context = ScriptContext(log: log, options: options, interruption: interruption)
            guard let (runtime, loaded) = load(context: context) else {
                if interruption.isTriggered { return interrupted(context: context) }
                if settings == nil || once { return ExitStatus.usage.code }
                code = ExitStatus.failed.code
                if !countdown(settings!.checkEvery) { return interrupted() }
                continue
            }
            if settings == nil {
                guard setUp(loaded) else { return ExitStatus.usage.code }
            } else if loaded.stateDir != settings!.stateDir {
                log.warn("state_dir changed to \(loaded.stateDir); it takes effect at the next start (still using \(settings!.stateDir))")
            }
            var current = loaded
            current.stateDir = settings?.stateDir ?? loaded.stateDir
            settings = current
            if loaded.logFile != log.path { try? log.setFile(loaded.logFile) }
            context.stateDirectory = current.stateDir
            context.statusPage = current.statusPage
            context.maxAttempts = current.maxAttempts
            context.cycleStart = context.now()
            context.cycleLogOffset = log.path.map(FailureReport.size(of:)) ?? 0
            armLastWords(context)

            if let brokenEdit, brokenEdit != reportedBrokenEdit {
                // The office hears of a broken edit the way it hears of a failed job, once.
                runtime.fireFailure(reason: "\(scriptPath) does not load (\(brokenEdit)); running the last good version")
            }
            reportedBrokenEdit = brokenEdit
            log.info("--- NightShift \(NightShiftVersion.string) cycle\(options.dryRun ? " (dry run)" : "")\(first && options.manual ? " (manual)" : "") ---")
            var result = "failed"
            var reason: String?
            var decision: String?
            do {
                let outcome = try runtime.cycle(manual: first && options.manual)
                code = outcome.code
                result = outcome.result
                decision = outcome.reason
                reason = outcome.failure
            } catch let error as LuaError {
                if interruption.isTriggered { return interrupted(context: context) }
                log.error("The cycle failed: \(error.message)")
                if !error.traceback.isEmpty { log.file(error.traceback) }
                runtime.fireFailure(reason: error.message)
                reason = error.message
                code = ExitStatus.failed.code
            } catch {
                log.error("The cycle failed: \(error)")
                reason = "\(error)"
                code = ExitStatus.failed.code
            }
            if interruption.isTriggered { return interrupted(context: context) }
            first = false
            let wait = nextWait(current, now: context.now())
            if let lost = context.recordFailures.first {
                result = "failed"
                reason = "not recorded: \(lost)"
            }
            recordNextCheck(context: context, after: wait, result: result, reason: reason, decision: decision)
            if reportRecordFailures(context: context, runtime: runtime) { code = ExitStatus.failed.code }
            keepHistory(current, now: context.now())
            writeMetrics(current, context: context)
            context.writeStatusPage()
            // The cycle is recorded: a stop from here on is recorded by `interrupted`.
            watchdog.setLastWords(nil)
            if once { return code }
            if !countdown(wait) { return interrupted(context: context, duringCycle: false) }
        }
    }

    /// Opens the log file, checks that the state file is one this build may use (not newer, not
    /// a symlink or FIFO: a configuration error, exit 2) and takes the instance lock (not under
    /// --dry-run, which touches nothing).
    private func setUp(_ settings: SiteSettings) -> Bool {
        do {
            try log.setFile(settings.logFile)
            _ = try StateStore(directory: settings.stateDir).load(quarantine: false)
        } catch {
            log.error("\(error)")
            return false
        }
        if options.dryRun { return true }
        do {
            lock = try InstanceLock(stateDir: settings.stateDir)
        } catch {
            log.error("\(error)")
            return false
        }
        // From here on, what a job leaves behind reparents to us (see ProcessFamily).
        Subreaper.enable()
        recoverOrphanedJobs(stateDir: settings.stateDir)
        countHistory(stateDir: settings.stateDir)
        return true
    }

    /// Before anything else (the lock is ours): a job an instance that died left
    /// `running` becomes interrupted, and the copy it left running is ended first, so
    /// one job never runs twice at once.
    private func recoverOrphanedJobs(stateDir: String) {
        let store = StateStore(directory: stateDir)
        do {
            var state = try store.load().state
            guard !state.runningJobs.isEmpty else { return }
            let now = Date().timeIntervalSince1970
            let recovered = OrphanedJobs.recover(state: &state, at: now)
            guard !recovered.isEmpty else { return }
            try store.save(state)
            for job in recovered {
                log.warn("Job \(job.job): \(job.reason)")
                try? HistoryLog(directory: stateDir).append(.job(JobRecord(
                    name: job.job, start: job.start ?? now, end: now, result: .interrupted, reason: job.reason)))
            }
            // countHistory, which setUp runs next, counts these records.
        } catch {
            log.error("Cannot check \(store.path) for jobs a previous instance left running: \(error)")
        }
    }

    /// Seconds to the next cycle: `check_every`, or less when the force window opens sooner
    /// (a 2 h interval must not skip a 2-minute window).
    public func nextWait(_ settings: SiteSettings, now: Double) -> Double {
        var wait = settings.checkEvery
        if let text = settings.forceWindow, let window = try? TimeWindow(parsing: text) {
            let opening = window.nextStart(after: Date(timeIntervalSince1970: now)).timeIntervalSince1970
            // A second past the opening, so the cycle finds itself inside the window.
            wait = min(wait, max(1, opening - now + 1))
        }
        return wait
    }

    /// `settings.metrics`: the textfile after every cycle; a failed write is logged, never fatal.
    private func writeMetrics(_ settings: SiteSettings, context: ScriptContext) {
        guard let path = settings.metrics, !options.dryRun else { return }
        do {
            try MetricsTextfile.write(path: path, stateDir: settings.stateDir, now: context.now())
        } catch {
            log.error("Cannot write the metrics file \(path): \(error)")
            noteFailedWrite("metrics file \(path): \(error)", context: context)
        }
    }

    /// Adds a failed write to the recorded last cycle, so `status` shows it (the metrics are
    /// written from the recorded state, so they come after that record).
    private func noteFailedWrite(_ what: String, context: ScriptContext) {
        guard let store = context.stateStore else { return }
        do {
            var state = try store.load().state
            let earlier = state.lastCycle?.failedWrites ?? []
            state.lastCycle?.failedWrites = earlier + [what]
            try store.save(state)
        } catch {
            log.error("Cannot record the failed write in \(store.path): \(error)")
        }
    }

    private func recordNextCheck(context: ScriptContext, after seconds: Double, result: String, reason: String?,
                                 decision: String?) {
        guard !options.dryRun, let store = context.stateStore else { return }
        let now = context.now()
        do {
            var state = try store.load().state
            state.lastCycle = CycleState(start: context.cycleStart, end: now, nextCheck: once ? nil : now + seconds,
                                         reason: reason, result: result, decision: decision)
            // The cycle's record was appended during the cycle: this write counts it.
            countNewRecords(&state, stateDir: store.directory, now: now)
            try store.save(state)
        } catch {
            context.recordFailed("Cannot record the cycle in \(store.path): \(error)")
        }
    }

    /// A cycle whose state or history could not be written (a full disk, a read-only
    /// mount) fails: the admin must hear that the night's record is lost, not find an
    /// exit 0. The failure event fires once per run of such cycles, not every check.
    /// Returns whether the cycle lost part of its record.
    private func reportRecordFailures(context: ScriptContext, runtime: ScriptRuntime) -> Bool {
        guard let lost = context.recordFailures.first else {
            recordFailureReported = false
            return false
        }
        let count = context.recordFailures.count
        log.error("The cycle fails: \(count == 1 ? "a write" : "\(count) writes") to the state folder failed, the first: \(lost)")
        if !recordFailureReported {
            runtime.fireFailure(reason: "the night could not be recorded: \(lost)")
            recordFailureReported = true
        }
        return true
    }

    /// Counts down to the next cycle; false when interrupted.
    private func countdown(_ seconds: Double) -> Bool {
        do {
            try Countdown.run(seconds: seconds, text: "Next check in", log: log, interruption: interruption)
            return true
        } catch {
            return false
        }
    }

    /// Records the interruption: running jobs become "interrupted"; returns 130/143.
    private func interrupted(context: ScriptContext? = nil, duringCycle: Bool = true) -> Int32 {
        let signal = interruption.signal ?? SIGINT
        _ = ChildProcesses.waitUntilIdle(timeout: 10)
        let record = context.map { interruptRecord($0) }
            ?? InterruptRecord(stateDir: nil, cycleStart: 0, maxAttempts: nil, manual: options.manual, log: log)
        let now = context?.now() ?? Date().timeIntervalSince1970
        // Once: the watchdog may have recorded it already (or waits until this is written).
        watchdog.recordOnce(signal: signal) { record.write(signal: $0, now: now, duringCycle: duringCycle) }
        // The page must not keep saying "running" (and reloading) for a night that ended.
        context?.writeStatusPage()
        lock?.release()
        return ExitStatus.code(stoppedBy: signal)
    }

    /// What a stop records for the cycle `context` runs (nothing under --dry-run).
    private func interruptRecord(_ context: ScriptContext) -> InterruptRecord {
        InterruptRecord(stateDir: options.dryRun ? nil : context.stateDirectory, cycleStart: context.cycleStart,
                        maxAttempts: context.maxAttempts, manual: options.manual, log: log)
    }

    /// Tells the watchdog what to record should the cycle `context` runs not stop in time.
    private func armLastWords(_ context: ScriptContext) {
        let record = interruptRecord(context)
        watchdog.setLastWords { record.write(signal: $0, now: Date().timeIntervalSince1970, duringCycle: true) }
    }
}
