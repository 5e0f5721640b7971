import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `ns.exec`: runs a program (argv, or a string through /bin/sh -c) under the core's ProcessRunner.
enum ProcessBindings {
    static let execOptions: Set<String> = ["timeout", "cwd", "env", "stdin", "log", "ok_codes"]

    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.add("exec") { args in
            let command: ExecCommand
            switch args[1] {
            case .string, .bytes:
                command = .shell(try args.string(1))
            case .table(let t):
                guard t.count > 0, t.isSequence else { throw args.error(1, "argv must be a non-empty array of strings") }
                command = .argv(try t.array.enumerated().map { i, v in
                    guard let s = v.stringValue else { throw args.error(1, "argv[\(i + 1)] must be a string, got \(v.typeName)") }
                    return s
                })
            default:
                throw args.typeError(1, expected: "table or string")
            }
            let o = try args.options(2, allowed: execOptions)
            var request = ExecRequest(command)
            request.interruption = context.interruption
            if let t = try o.number("timeout") {
                request.timeout = try NetworkBindings.check(args, 2) { () throws(OptionError) in try OptionCheck.timeout(t, field: "timeout") }
            }
            if let left = context.budget.remaining {
                // Inside a time-limited hook: the child goes (its whole group) when the hook's time is up.
                request.timeout = min(request.timeout ?? left, max(left, 0))
            }
            request.cwd = try o.string("cwd")
            request.env = try o.stringMap("env") ?? [:]
            if o.has("stdin") {
                guard let bytes = o.table["stdin"].bytesValue else { throw args.error(2, "field 'stdin' must be a string") }
                request.stdin = bytes
            }
            if let mode = try o.string("log") {
                guard let m = LogMode(rawValue: mode) else {
                    throw args.error(2, "field 'log' must be \"file\", \"both\", \"console\" or \"none\", got \"\(mode)\"")
                }
                request.logMode = m
            }
            if let codes = try o.integers("ok_codes") {
                request.okCodes = Set(codes.map { Int32(truncatingIfNeeded: $0) })
            }
            do throws(ExecRequestProblem) {
                try request.validate()
            } catch {
                throw args.error(error.part == .command ? 1 : 2, error.message)
            }
            let display = ShellQuote.display(command.effectiveArgv)
            if context.options.dryRun {
                context.dryRun("run: \(display)")
                return [.table(LuaTable([
                    "ok": true, "code": 0, "timed_out": false, "stdout": "", "stderr": "", "seconds": 0.0,
                    "dry_run": true,
                ]))]
            }
            context.log.file("exec: \(display)")
            if let job = context.currentJob, let store = context.stateStore {
                request.runID = announce(job: job, store: store, context: context)
                request.onStart = recorder(job: job, store: store, log: context.log, now: context.nowDate)
            }
            let result: ExecResult
            do {
                result = try ProcessRunner.runBlocking(request, log: context.log, label: command.programName)
            } catch let error as ExecError {
                throw LuaRuntimeError(error.description)
            }
            try context.checkInterrupted()
            var t = LuaTable([
                "ok": .boolean(result.ok),
                "timed_out": .boolean(result.timedOut),
                "stdout": .fromBytes(result.stdout),
                "stderr": .fromBytes(result.stderr),
                "seconds": .number(result.seconds),
            ])
            if let code = result.code { t["code"] = .integer(Int64(code)) }
            if let signal = result.signal { t["signal"] = .integer(Int64(signal)) }
            if result.interrupted { t["interrupted"] = true }
            if result.stdoutTruncated { t["stdout_truncated"] = true }
            if result.stderrTruncated { t["stderr_truncated"] = true }
            return [.table(t)]
        }
    }

    /// Saves the run id the job's next program will carry before it is spawned, so that a
    /// kill -9 before `recorder` ran still leaves the next instance a way to find the copy.
    static func announce(job: String, store: StateStore, context: ScriptContext) -> String {
        let runID = ProcessFamily.makeRunID()
        do {
            var state = try store.load(quarantine: false, now: context.nowDate).state
            if state.jobs[job]?.result == .running {
                state.jobs[job]?.startingRunID = runID
                try store.save(state)
            }
        } catch {
            context.recordFailed("Cannot record the start of job \(job) in \(store.path): \(error)")
        }
        return runID
    }

    /// The log line that says what ends the job's descendants with it.
    static func containmentLine(job: String, start: ExecStart) -> String {
        switch start.containment {
        case .cgroup(let path):
            return "job \(job): its processes run in the cgroup \(path), killed whole when the job ends"
        case .subreaper:
            let why = start.containmentNote.map { " (no cgroup: \($0))" } ?? ""
            return "job \(job): its processes are tracked through /proc with nightshift as their subreaper\(why)"
        }
    }

    /// Records the started program as `job`'s process in state.json, so that the next
    /// instance can end it if this one dies (OrphanedJobs). The Lua thread is parked in
    /// the exec meanwhile, so nothing else writes the state.
    static func recorder(job: String, store: StateStore, log: NightShiftLog, now: Date) -> @Sendable (ExecStart) -> Void {
        let owner = OrphanedJobs.currentOwner
        return { start in
            log.info(containmentLine(job: job, start: start))
            do {
                var state = try store.load(quarantine: false, now: now).state
                guard state.jobs[job]?.result == .running else { return }
                state.jobs[job]?.process = JobProcess(ownerPid: owner.pid, ownerStart: owner.start, group: start.pid,
                                                      groupStart: start.startTime, runID: start.runID)
                try store.save(state)
            } catch {
                log.error("Cannot record the process of job \(job) in \(store.path): \(error)")
            }
        }
    }
}
