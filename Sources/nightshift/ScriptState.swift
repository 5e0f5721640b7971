import ArgumentParser
import Foundation
import NightShiftCore
import NightShiftScripting

/// The state directory a command reads: `--state-dir`, else the script's `state_dir`, else
/// `state`; with a script, also the jobs' `max_age` as the script declares them now.
struct ScriptState {
    var stateDir: String
    var maxAges: [String: Double] = [:]
    /// The loaded script, when one was given (for the presence forecast).
    var site: LoadedSite?
    /// The script's settings, when a script was given.
    var settings: SiteSettings? { site?.settings }

    /// Loads `script` (as `check` does: a rehearsal, nothing touched) when given.
    static func resolve(script: String?, stateDir: String?) throws -> ScriptState {
        guard let script else { return ScriptState(stateDir: try stateDir ?? defaultStateDir()) }
        let site = try loadSite(script, stateDir: stateDir)
        return ScriptState(stateDir: site.settings.stateDir, maxAges: site.settings.jobMaxAges, site: site)
    }

    /// Tonight's likely start, when a script was given.
    func forecast(_ state: NightShiftState, now: Double) throws -> PresenceForecast? {
        try site?.forecast(state, now: now)
    }

    /// `settings.state_dir`'s default, from the schema (relative: the working directory).
    static func defaultStateDir() throws -> String {
        let runtime = try ScriptRuntime(context: ScriptContext(log: try NightShiftLog(filePath: nil), options: ScriptOptions()))
        guard let dir = try runtime.defaultSetting("state_dir").stringValue else { throw ExitCode(.usage) }
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
            throw ExitCode(.usage)
        }
    }
}

extension LoadedSite {
    /// When tonight's backup likely starts, as the loaded script's trigger rules say.
    func forecast(_ state: NightShiftState, now: Double) throws -> PresenceForecast {
        try runtime.forecast(state, settings: settings, now: now)
    }
}
