import LuaBinding
import NightShiftBase
import NightShiftCore

extension ScriptRuntime {
    /// When `min_interval` lets the next automatic night start (epoch), or nil when it holds
    /// none back: the trigger's own answer (`trigger.not_before`), so the forecast never
    /// re-implements the rule the night follows.
    public func minIntervalNotBefore(_ night: NightMemory, minInterval: Double, now: Double) throws -> Double? {
        guard case .table(let trigger) = try lua.rawGet(core, "trigger"), case .function(let notBefore) = trigger["not_before"] else {
            throw LuaError(message: "core.trigger.not_before is not a function")
        }
        let r = try lua.call(notBefore, [.table(StateBindings.nightTable(night)), .number(minInterval), .number(now)])
        return r.first?.doubleValue
    }

    /// When tonight's backup likely starts, from the watched hosts' presence in `state` and the
    /// trigger's rules as the loaded site sets them (force window, min_interval, offline_sweeps).
    public func forecast(_ state: NightShiftState, settings: SiteSettings, now: Double) throws -> PresenceForecast {
        let window = settings.forceWindow.flatMap { try? TimeWindow(parsing: $0) }
        let notBefore = try minIntervalNotBefore(state.night, minInterval: settings.minInterval, now: now)
        let rules = PresenceForecast.Rules(window: window, windowUsed: state.windowUsedUp, notBefore: notBefore,
                                           offlineSweeps: settings.offlineSweeps, checkEvery: settings.checkEvery)
        return PresenceForecast(watched: settings.watched, presence: state.hosts.compactMapValues(\.presence), rules: rules, now: now)
    }
}
