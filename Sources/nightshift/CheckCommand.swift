import ArgumentParser
import Foundation
import NightShiftCore
import NightShiftScripting

/// `nightshift check SCRIPT`: validates a site script and prints the plan.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a site script and print its hosts, jobs and schedule (exit 0), or every error (exit 2).",
        discussion: "Example: nightshift check scripts/nightly.lua"
    )

    @Argument(help: "The site script (Lua).") var script: String

    func run() throws {
        guard let source = FileManager.default.contents(atPath: script) else {
            printError("nightshift: cannot read \(script)")
            throw ExitCode(2)
        }
        let log = try NightShiftLog(filePath: nil)
        let context = ScriptContext(log: log, options: ScriptOptions(dryRun: true))
        do {
            let runtime = try ScriptRuntime(context: context)
            let settings = try runtime.loadSite(path: script, source: Array(source))
            printSafe("\(script): OK")
            for line in try runtime.plan() { printSafe(line) }
            printSafe("  state directory: \(absolute(settings.stateDir))")
            printSafe("  log file: \(absolute(settings.logFile))")
        } catch let problems as ScriptProblems {
            let n = problems.problems.count
            printError("\(script): \(n) error\(n == 1 ? "" : "s"):")
            for p in problems.problems { printError(p) }
            if !problems.traceback.isEmpty { printError(problems.traceback) }
            throw ExitCode(2)
        }
    }
}

/// `path` made absolute against the working directory, as `run` will use it.
func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    return (full as NSString).standardizingPath
}
