import Foundation
import LuaBinding
import NightShiftCore

/// `core.state.*`: the stdlib's access to state.json and history.jsonl (internal API).
/// Under --dry-run nothing is written; a write that fails is logged and reported as
/// `false`, which the stdlib treats as "state unknown" (no power-off).
enum StateBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let store = StateWrites(context: m.context)
        try installLoad(&m)
        try installHosts(&m, store)
        try installJobs(&m, store)
        try installNight(&m, store)
    }

    /// `state.load`: state.json as the stdlib reads it (a missing or corrupt file is a status, not an error).
    static func installLoad(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.addCore("state.load") { _ in
            guard let store = context.stateStore else { return [.table(LuaTable(["status": "missing"]))] }
            do {
                let loaded = try store.load(quarantine: !context.options.dryRun, now: context.nowDate)
                for warning in loaded.warnings { context.log.warn("\(store.path): \(warning)") }
                var t = LuaTable()
                switch loaded.condition {
                case .known: t["status"] = "ok"
                case .missing: t["status"] = "missing"
                case .corrupt(let reason, _):
                    t["status"] = "corrupt"
                    t["error"] = .string(loaded.condition.description.isEmpty ? reason : loaded.condition.description)
                }
                var hosts = LuaTable()
                for (name, h) in loaded.state.hosts {
                    var e = LuaTable()
                    if let up = h.up { e["up"] = .boolean(up) }
                    if let s = h.since { e["since"] = .number(s) }
                    if let l = h.lastSeen { e["last_seen"] = .number(l) }
                    if let w = h.wokenAt { e["woken_at"] = .number(w) }
                    hosts[name] = .table(e)
                }
                t["hosts"] = .table(hosts)
                if let pending = loaded.state.sleepPending { t["sleep_pending"] = .number(pending) }
                var night = loaded.state.night
                night.windowUsed = loaded.state.windowUsedUp
                t["night"] = .table(nightTable(night))
                t["recent_sweeps"] = .table(LuaTable(array: loaded.state.recentSweeps.map { sweep in
                    var entry = LuaTable()
                    for (name, up) in sweep.up { entry[.string(name)] = .table(LuaTable(["up": .boolean(up)])) }
                    return .table(entry)
                }))
                return [.table(t)]
            } catch {
                return [.table(LuaTable(["status": "corrupt", "error": .string("\(error)")]))]
            }
        }
    }

    /// What the night learned about each host: sweeps, wake-ups, sightings, clocks, and the
    /// machine's own wake alarm and owed sleep.
    static func installHosts(_ m: inout ModuleBuilder, _ store: StateWrites) throws {
        let context = m.context
        try m.addCore("state.record_sweep") { args in
            let table = try args.table(1)
            let sweep = SweepRecord(time: context.now(), up: knownStates(table))
            let notes = probeNotes(table)
            return [.boolean(store.update("the sweep") { state in
                state.recordSweep(sweep)
                state.recordProbeNotes(notes)
            })]
        }
        try m.addCore("state.mark_woken") { args in
            let name = try args.string(1)
            let now = context.now()
            return [.boolean(store.update("the wake-up of \(name)") { $0.hosts[name, default: HostState()].wokenAt = now })]
        }
        try m.addCore("state.clear_woken") { _ in
            [.boolean(store.update("the end of the night") { state in
                for name in state.hosts.keys { state.hosts[name]?.wokenAt = nil }
            })]
        }
        try m.addCore("state.host_seen") { args in
            let name = try args.string(1)
            let now = context.now()
            return [.boolean(store.update("that \(name) answers") { $0.hosts[name, default: HostState()].lastSeen = now })]
        }
        try m.addCore("state.clock_synced") { args in
            let name = try args.string(1)
            let offset = try args.number(2)
            let now = context.now()
            return [.boolean(store.update("the clock of \(name)") { state in
                state.hosts[name, default: HostState()].clockOffset = offset
                state.hosts[name, default: HostState()].clockSynced = now
            })]
        }
        // The wake alarm this machine sleeps with (nil: none), shown by `status`.
        try m.addCore("state.set_self_wake") { args in
            let epoch = try args.optionalNumber(1)
            return [.boolean(store.update("the wake alarm") { $0.selfWake = epoch })]
        }
        // The sleep a busy check held back after a night (true: owed since now, unless owed
        // already; false: done with), retried by the cycles that do not back up.
        try m.addCore("state.set_sleep_pending") { args in
            let pending = args[1].isTruthy
            let now = context.now()
            return [.boolean(store.update("the pending sleep") { $0.sleepPending = pending ? ($0.sleepPending ?? now) : nil })]
        }
    }

    /// A job's start and end, and the cycle's record in the history.
    static func installJobs(_ m: inout ModuleBuilder, _ store: StateWrites) throws {
        let context = m.context
        try m.addCore("state.job_started") { args in
            let name = try args.string(1)
            context.currentJob = name
            let ok = store.update("the start of job \(name)") { $0.recordJobStart(name, at: context.now()) }
            context.writeStatusPage()
            return [.boolean(ok)]
        }
        try m.addCore("state.job_finished") { args in
            let name = try args.string(1)
            guard let result = JobResult(rawValue: try args.string(2)) else { throw args.error(2, "unknown job result") }
            let reason = try args.optionalString(3)
            let seconds = try args.optionalNumber(4) ?? 0
            let end = context.now()
            if context.currentJob == name { context.currentJob = nil }
            // What the copy tool reported, for `nightshift history`.
            let stats = try args.optionalTable(5)
            store.append(.job(JobRecord(name: name, start: end - seconds, end: end, result: result, reason: reason,
                                  files: stats["files"].integerValue.map { Int(clamping: $0) },
                                  bytes: stats["bytes"].integerValue.map { Int(clamping: $0) })))
            // The record first, then one state write that both ends the job and counts it.
            let ok = store.update("the end of job \(name)") { state in
                state.recordJobEnd(name, at: end, result: result, reason: reason)
                store.countHistory(&state)
            }
            context.writeStatusPage()
            return [.boolean(ok)]
        }
        try m.addCore("state.history") { args in
            let t = try args.table(1)
            let now = context.now()
            store.append(.cycle(CycleRecord(
                start: context.cycleStart, end: now, ran: t["ran"].isTruthy,
                decision: t["decision"].stringValue, reason: t["reason"].stringValue, result: t["result"].stringValue ?? "ok",
                manual: t["manual"].isTruthy, dryRun: context.options.dryRun, sleep: t["sleep"].stringValue)))
            return []
        }
    }

    /// The trigger's memory of a night: its start and how it ended.
    static func installNight(_ m: inout ModuleBuilder, _ store: StateWrites) throws {
        let context = m.context
        try m.addCore("state.night_started") { args in
            let t = try args.table(1)
            let night = RunningNight(start: context.now(), windowKey: t["window_key"].doubleValue, manual: t["manual"].isTruthy,
                                     newSeries: t["new_series"].isTruthy)
            let ok = store.update("the start of the night") { $0.night.start(night) }
            context.writeStatusPage()
            return [.boolean(ok)]
        }
        try m.addCore("state.night_finished") { args in
            let t = try args.table(1)
            guard let result = NightResult(rawValue: t["result"].stringValue ?? "") else {
                throw args.error(1, "field 'result' must be \"ok\", \"warning\", \"failed\" or \"interrupted\"")
            }
            guard let attempts = t["max_attempts"].integerValue else { throw args.error(1, "field 'max_attempts' expected") }
            let maxAttempts = Int(clamping: attempts)
            var after: NightMemory?
            _ = store.update("the end of the night") { state in
                state.night.finish(result, at: context.now(), maxAttempts: maxAttempts)
                after = state.night
            }
            return [after.map { .table(nightTable($0)) } ?? .nil]
        }
    }

    /// The trigger's memory of past nights, as the Lua trigger reads it.
    static func nightTable(_ n: NightMemory) -> LuaTable {
        var t = LuaTable(["failed_attempts": .integer(Int64(n.failedAttempts))])
        if let v = n.lastGoodAutomatic { t["last_good_automatic"] = .number(v) }
        if let v = n.firstFailed { t["first_failed"] = .number(v) }
        if let v = n.windowUsed { t["window_used"] = .number(v) }
        if let v = n.lastStart { t["last_start"] = .number(v) }
        if let v = n.lastEnd { t["last_end"] = .number(v) }
        if let v = n.lastResult { t["last_result"] = .string(v.rawValue) }
        if let r = n.running {
            var running = LuaTable(["start": .number(r.start), "manual": .boolean(r.manual), "new_series": .boolean(r.newSeries)])
            if let k = r.windowKey { running["window_key"] = .number(k) }
            t["running"] = .table(running)
        }
        return t
    }

    /// How each host's probe went, in words, from a sweep table.
    static func probeNotes(_ sweep: LuaTable) -> [String: ProbeNote] {
        var notes: [String: ProbeNote] = [:]
        for (k, v) in sweep.entries {
            guard let name = k.stringValue, let entry = v.tableValue else { continue }
            let error = entry["error"].stringValue
            if entry["unknown"].isTruthy {
                notes[name] = ProbeNote(text: "cannot tell: " + (error ?? "the probe could not be sent"), unknown: true)
            } else if entry["up"].isTruthy {
                var how = [entry["probe"].stringValue ?? "answered"]
                if let rtt = entry["rtt_ms"].doubleValue { how.append(String(format: "%.1f ms", rtt)) }
                if let ip = entry["ip"].stringValue { how.append(ip) }
                notes[name] = ProbeNote(text: "answered (" + how.joined(separator: ", ") + ")", unknown: false)
            } else {
                notes[name] = ProbeNote(text: "no answer" + (error.map { " (\($0))" } ?? ""), unknown: false)
            }
        }
        return notes
    }

    /// Up/down per host from a sweep table; hosts that could not be probed are left out,
    /// so they count as unknown (never as offline).
    static func knownStates(_ sweep: LuaTable) -> [String: Bool] {
        var up: [String: Bool] = [:]
        for (k, v) in sweep.entries {
            guard let name = k.stringValue, let entry = v.tableValue, !entry["unknown"].isTruthy else { continue }
            up[name] = entry["up"].isTruthy
        }
        return up
    }
}
