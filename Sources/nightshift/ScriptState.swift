import ArgumentParser
import Foundation
import NightShiftCore
import NightShiftScripting

/// The state directory a command reads: `--state-dir`, else the script's `state_dir`, else
/// `state`; with a script, also the jobs' `max_age` as the script declares them now.
struct ScriptState {
    var stateDir: String
    var maxAges: [String: Double] = [:]
    /// The script's settings, when a script was given (for the presence forecast).
    var settings: SiteSettings?

    /// Loads `script` (as `check` does: a rehearsal, nothing touched) when given.
    static func resolve(script: String?, stateDir: String?) throws -> ScriptState {
        guard let script else { return ScriptState(stateDir: try stateDir ?? defaultStateDir()) }
        let settings = try loadSite(script, stateDir: stateDir).settings
        return ScriptState(stateDir: settings.stateDir, maxAges: settings.jobMaxAges, settings: settings)
    }

    /// `settings.state_dir`'s default, from the schema (relative: the working directory).
    static func defaultStateDir() throws -> String {
        let runtime = try ScriptRuntime(context: ScriptContext(log: try NightShiftLog(filePath: nil), options: ScriptOptions()))
        guard let dir = try runtime.defaultSetting("state_dir").stringValue else { throw ExitCode(2) }
        return dir
    }

    /// `settings.site`: the script's, else the schema's default (for a command run without a script).
    func siteName() throws -> String {
        if let site = settings?.site { return site }
        let runtime = try ScriptRuntime(context: ScriptContext(log: try NightShiftLog(filePath: nil), options: ScriptOptions()))
        return try runtime.siteName()
    }

    /// The state directory, or exit 2 naming what to give.
    func requireDirectory() throws {
        guard FileManager.default.fileExists(atPath: stateDir) else {
            printError("nightshift: no state directory at \(stateDir): give the script or --state-dir (your script's state_dir, relative to the script's folder)")
            throw ExitCode(2)
        }
    }
}

extension SiteSettings {
    /// When tonight's backup likely starts, from the watched hosts' presence in `state` and
    /// the trigger's settings (force window, min_interval, offline_sweeps).
    func forecast(_ state: NightShiftState, now: Double) -> PresenceForecast {
        let window = forceWindow.flatMap { try? TimeWindow(parsing: $0) }
        let notBefore = state.night.lastGoodAutomatic.flatMap { last in
            // A last good night "in the future" (a clock stepped back) never blocks, as in the trigger.
            minInterval > 0 && last <= now ? last + minInterval : nil
        }
        let rules = PresenceForecast.Rules(window: window, windowUsed: state.night.windowUsed ?? state.lastWindowRun,
                                           notBefore: notBefore, offlineSweeps: offlineSweeps, checkEvery: checkEvery)
        return PresenceForecast(watched: watched, presence: state.hosts.compactMapValues(\.presence), rules: rules, now: now)
    }
}
