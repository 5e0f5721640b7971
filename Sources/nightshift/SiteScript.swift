import ArgumentParser
import Foundation
import NightShiftCore
import NightShiftScripting

/// A site script loaded and validated for a CLI command.
struct LoadedSite {
    let runtime: ScriptRuntime
    let settings: SiteSettings
}

/// Loads and validates `script` for a CLI command (`check`, `status`, `history`, and
/// `ping|wake|time --script`); an unreadable file or a broken script is exit 2, the problems
/// printed as `check` prints them. `dryRun` (the default) makes it a rehearsal that touches nothing.
func loadSite(_ script: String, stateDir: String? = nil, dryRun: Bool = true) throws -> LoadedSite {
    guard let source = FileManager.default.contents(atPath: script) else {
        throw toolExit(.usage, "cannot read \(script)")
    }
    let context = ScriptContext(log: try NightShiftLog(filePath: nil), options: ScriptOptions(dryRun: dryRun, stateDir: stateDir))
    do {
        let runtime = try ScriptRuntime(context: context)
        return LoadedSite(runtime: runtime, settings: try runtime.loadSite(path: script, source: Array(source)))
    } catch let problems as ScriptProblems {
        let n = problems.problems.count
        printError("\(script): \(n) error\(n == 1 ? "" : "s"):")
        for p in problems.problems { printError(p) }
        // An error at a line of the script itself (a typo in a DSL word) says all in one line;
        // a traceback only helps when the error comes from deeper down.
        let atScriptLine = problems.problems.count == 1 && problems.problems[0].hasPrefix(ScriptRuntime.displayName(script) + ":")
        if !problems.traceback.isEmpty && !atScriptLine { printError(problems.traceback) }
        throw ExitCode(.usage)
    }
}

/// Runs `body`; an error raised in the standard library (an unknown host name, a host without
/// a MAC) is a usage error, exit 2.
func withSite<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw toolExit(.usage, "\(error)")
    }
}

/// A script that did not load, as `status` still shows the site: its problems (with the
/// traceback when the error is not at a line of the script) and the state directory it names.
struct BrokenSite: Error {
    var problems: [String]
    var stateDir: String
}

/// Loads `script` like `loadSite`, but a script with errors is a `BrokenSite` instead of exit 2.
func loadSiteOrBroken(_ script: String, stateDir: String?) throws -> Result<LoadedSite, BrokenSite> {
    guard let source = FileManager.default.contents(atPath: script) else { throw toolExit(.usage, "cannot read \(script)") }
    let context = ScriptContext(log: try NightShiftLog(filePath: nil), options: ScriptOptions(dryRun: true, stateDir: stateDir))
    let runtime = try ScriptRuntime(context: context)
    do {
        return .success(LoadedSite(runtime: runtime, settings: try runtime.loadSite(path: script, source: Array(source))))
    } catch let problems as ScriptProblems {
        let dir = try stateDir ?? runtime.stateDirOfBrokenScript(path: script)
        return .failure(BrokenSite(problems: problems.problems, stateDir: dir))
    }
}
