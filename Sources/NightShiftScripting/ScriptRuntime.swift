import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// Every problem a site script has, each as `file:line: message`.
public struct ScriptProblems: Error, CustomStringConvertible {
    /// One line per problem.
    public let problems: [String]
    /// The traceback, for runtime errors while loading.
    public let traceback: String
    /// Creates the list.
    public init(_ problems: [String], traceback: String = "") {
        self.problems = problems
        self.traceback = traceback
    }
    public var description: String { problems.joined(separator: "\n") }
}

/// The settings the Swift side needs before and between cycles.
public struct SiteSettings: Sendable, Equatable {
    /// Seconds between cycles.
    public var checkEvery: Double
    /// The state directory (absolute, or relative to the working directory).
    public var stateDir: String
    /// The log file.
    public var logFile: String
    /// The force window's text, if the site has one (the loop also wakes at its opening).
    public var forceWindow: String? = nil
    /// Failed automatic nights before the next good one or the next window.
    public var maxAttempts: Int64
    /// `settings.metrics`: the Prometheus textfile written after every cycle, if any.
    public var metrics: String? = nil
    /// Each declared job's `max_age` (its own, else `settings.max_age`), in seconds.
    public var jobMaxAges: [String: Double] = [:]
    /// The watched hosts (every host but this machine whose `watch` is true), in script order.
    public var watched: [String] = []
    /// `offline_sweeps` and `min_interval` (seconds), for the presence forecast; no default
    /// here: the schema's is the one, read from the validated settings.
    public var offlineSweeps: Int
    public var minInterval: Double
    /// `settings.site`, else this machine's hostname.
    public var site: String = ""
    /// The declared jobs, and hosts but this machine, in script order.
    public var jobOrder: [String] = []
    public var hostOrder: [String] = []
    /// `settings.status_page` (resolved), with what the page needs of the script; nil: no page.
    public var statusPage: StatusPageTarget? = nil
    /// `history_keep` (seconds): history.jsonl drops records that ended longer ago.
    public var historyKeep: Double? = nil
}

/// What one cycle ended with.
public struct CycleOutcome: Sendable {
    /// 0 when every job was ok (or nothing ran), 1 when a job failed.
    public var code: Int32
    /// Whether a backup ran. The CLI goes by `code` and `result`; this is what the cycle tests
    /// read (did the trigger start a night?) without parsing history.jsonl.
    public var ran: Bool
    /// The trigger's reason.
    public var reason: String
    /// "ok", "warning", "failed" or "skipped".
    public var result: String
    /// Why it failed: the failing jobs with their reasons (nil when none failed).
    public var failure: String? = nil
}

/// One Lua state with the `nightshift` module, the standard library and (once loaded) a site script.
public final class ScriptRuntime {
    /// The Lua state.
    public let lua: LuaState
    /// The shared context of the primitives.
    public let context: ScriptContext
    /// The `nightshift` module table, by identity.
    private let module: LuaRef
    /// The private core table (internal bindings and library internals), never given to site code.
    let core: LuaRef

    /// Opens a state and installs the module and the embedded standard library.
    public convenience init(context: ScriptContext) throws {
        try self.init(context: context, library: EmbeddedLua.sources)
    }

    /// Opens a state with `library` as the embedded standard library (tests give it a fake extra file).
    init(context: ScriptContext, library: [String: [UInt8]]) throws {
        self.context = context
        // The library sets the cap to settings.lua_memory's default as it loads.
        lua = try LuaState()
        // The cap is the `lua_memory` setting: the out-of-memory message names it.
        lua.memoryLimitName = "lua_memory"
        lua.describeBytes = { SizeText.describe(Int64($0)) }
        let interruption = context.interruption
        let budget = context.budget
        lua.interruptCheck = { interruption.isTriggered || budget.expired != nil }
        lua.timeScopes = LuaTimeScopes(
            open: { limit, label in budget.open(label, limit: limit) },
            close: { depth in
                let expired = budget.isExpired(depth: depth)
                budget.close(depth: depth)
                return expired
            })
        var m = ModuleBuilder(lua: lua, context: context)
        try LogBindings.install(&m)
        try WaitBindings.install(&m)
        try FactBindings.install(&m)
        try ProcessBindings.install(&m)
        try NetworkBindings.install(&m)
        try TimeBindings.install(&m)
        try PowerBindings.install(&m)
        try ParseBindings.install(&m)
        try StateBindings.install(&m)
        try FileBindings.install(&m)
        try BudgetBindings.install(&m)
        try ScheduleBindings.install(&m)
        try CheckBindings.install(&m)
        try HTTPBindings.install(&m)
        try ObservabilityBindings.install(&m)
        try OutboxBindings.install(&m)
        try DeferBindings.install(&m)
        try HealthchecksBindings.install(&m)
        try BusyBindings.install(&m)
        module = try lua.reference(.table(m.table))
        core = try lua.reference(.table(m.core))
        try lua.setGlobal("nightshift", .reference(module))
        try lua.setGlobal("ns", .reference(module))
        try StandardLibrary.load(into: lua, module: module, core: core, sources: library)
    }

    deinit { lua.close() }

    /// Runs a site script and validates it; throws `ScriptProblems` listing everything wrong.
    @discardableResult
    public func loadSite(path: String, source: [UInt8]) throws -> SiteSettings {
        // Lua shortens long chunk names with "..." in every message; a long path is
        // shown by its file name instead, so `file:line` stays readable.
        let display = ScriptRuntime.displayName(path)
        try callCore("set_script", [.string(path), .string(display)])
        do {
            let chunk = try lua.load(source, chunkName: "@" + display)
            try lua.callIgnoringResults(chunk)
        } catch let error as LuaError {
            throw ScriptProblems([error.message], traceback: error.traceback)
        }
        let errors = try callCore("validate").first?.tableValue?.array ?? []
        let list = errors.compactMap { e -> String? in
            guard let t = e.tableValue else { return nil }
            return "\(t["where"].stringValue ?? "?"): \(t["message"].stringValue ?? "")"
        }
        if !list.isEmpty { throw ScriptProblems(list) }
        return try settings(scriptPath: path)
    }

    /// The Swift-side settings and the CLI overrides. Relative `state_dir` and `log_file`
    /// resolve against systemd's `$STATE_DIRECTORY` / `$LOGS_DIRECTORY` when set (a unit's
    /// `StateDirectory=` / `LogsDirectory=`), else against the script's folder.
    func settings(scriptPath: String) throws -> SiteSettings {
        guard let s = try callCore("site_settings").first?.tableValue else { throw LuaError(message: "no validated settings") }
        func resolve(_ p: String, against variable: String?) -> String {
            ScriptRuntime.resolve(p, against: variable, scriptPath: scriptPath)
        }
        // Validation filled in every default (schema.lua's DEFAULTS, their one home): a missing one is a bug.
        func required<T>(_ key: String, _ value: (LuaValue) -> T?) throws -> T {
            guard let v = value(s[key]) else { throw LuaError(message: "settings.\(key) is missing from the validated configuration") }
            return v
        }
        // ns.time.step holds every step of this machine's clock to it (invariant 13).
        context.maxClockStep = try required("max_clock_step", \.doubleValue)
        var maxAges: [String: Double] = [:]
        for (k, v) in try callCore("job_max_ages").first?.tableValue?.entries ?? [:] {
            if let name = k.stringValue, let age = v.doubleValue { maxAges[name] = age }
        }
        let site = try siteName()
        let order = try callCore("page_order").first?.tableValue
        let logFile = try context.options.logFile ?? resolve(required("log_file", \.stringValue), against: "LOGS_DIRECTORY")
        let jobOrder = order?["jobs"].tableValue?.array.compactMap(\.stringValue) ?? []
        let hostOrder = order?["hosts"].tableValue?.array.compactMap(\.stringValue) ?? []
        let page = s["status_page"].stringValue.map { path in
            StatusPageTarget(path: resolve(path, against: nil), site: site, forceWindow: s["force_window"].stringValue,
                             jobOrder: jobOrder, hostOrder: hostOrder, logFile: logFile)
        }
        return SiteSettings(
            checkEvery: try required("check_every", \.doubleValue),
            stateDir: try context.options.stateDir ?? resolve(required("state_dir", \.stringValue), against: "STATE_DIRECTORY"),
            logFile: logFile,
            forceWindow: s["force_window"].stringValue,
            maxAttempts: try required("max_attempts", \.integerValue),
            metrics: s["metrics"].stringValue.map { resolve($0, against: nil) }, jobMaxAges: maxAges,
            watched: try callCore("watched_hosts").first?.tableValue?.array.compactMap(\.stringValue) ?? [],
            offlineSweeps: Int(clamping: try required("offline_sweeps", \.integerValue)),
            minInterval: try required("min_interval", \.doubleValue), site: site, jobOrder: jobOrder, hostOrder: hostOrder,
            statusPage: page, historyKeep: try required("history_keep", \.doubleValue))
    }

    /// `settings.site` as the schema resolves it (its default, the hostname, when no script set it).
    public func siteName() throws -> String {
        guard let name = try callCore("site_name").first?.stringValue else { throw LuaError(message: "no site name") }
        return name
    }

    /// A relative path of the script made as `run` uses it: against `$variable` (systemd's
    /// `$STATE_DIRECTORY` / `$LOGS_DIRECTORY`) when set, else against the script's folder.
    static func resolve(_ p: String, against variable: String?, scriptPath: String) -> String {
        if p.hasPrefix("/") { return p }
        let folder = (scriptPath as NSString).deletingLastPathComponent
        // systemd lists one path per `StateDirectory=` entry, separated by colons: the first is ours.
        if let variable, let base = ProcessInfo.processInfo.environment[variable]?.split(separator: ":").first, base.hasPrefix("/") {
            return (String(base) as NSString).appendingPathComponent(p)
        }
        return folder.isEmpty ? p : (folder as NSString).appendingPathComponent(p)
    }

    /// The default of setting `key` as the schema gives it (for a CLI command run without a script).
    public func defaultSetting(_ key: String) throws -> LuaValue {
        guard case .table(let defaults) = try lua.rawGet(core, "defaults") else { throw LuaError(message: "no setting defaults") }
        return defaults[key]
    }

    /// The validated plan as text lines (`nightshift check`).
    public func plan() throws -> [String] {
        try callCore("plan").first?.tableValue?.array.compactMap(\.stringValue) ?? []
    }

    /// Calls `core.<name>(arguments...)`, a function of the embedded library.
    @discardableResult
    func callCore(_ name: String, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        guard case .function(let f) = try lua.rawGet(core, .string(name)) else {
            throw LuaError(message: "core.\(name) is not a function")
        }
        return try lua.call(f, arguments)
    }

    /// Runs `code` as a chunk that receives `ns, core` (`local ns, core = ...` is prepended on
    /// its first line, so line numbers stay): how tests reach the library's internals.
    @discardableResult
    func executeWithCore(_ code: String) throws -> [LuaValue] {
        let chunk = try lua.load(Array(("local ns, core = ... " + code).utf8), chunkName: "=(core test)")
        return try lua.call(chunk, [.reference(module), .reference(core)])
    }

    /// Runs one cycle: sweep, decide, maybe the night and this machine's sleep.
    public func cycle(manual: Bool) throws -> CycleOutcome {
        let r = try callCore("cycle", [["manual": .boolean(manual), "no_sleep": .boolean(context.options.noSleep)]])
        let t = r.first?.tableValue ?? LuaTable()
        return CycleOutcome(code: Int32(clamping: t["code"].integerValue ?? Int64(ExitStatus.failed.code)), ran: t["ran"].isTruthy,
                            reason: t["reason"].stringValue ?? "", result: t["result"].stringValue ?? "failed",
                            failure: t["failure"].stringValue)
    }

    /// Fires the `failure` event for an error outside any job (a broken cycle).
    public func fireFailure(reason: String) {
        _ = try? callCore("fire", ["failure", ["reason": .string(reason), "log": context.log.path.map { .string($0) } ?? .nil]])
    }
}
