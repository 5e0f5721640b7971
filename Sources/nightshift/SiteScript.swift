import ArgumentParser
import Foundation
import NightShiftCore
import NightShiftScripting

/// Loads and validates a site script for `ping|wake|time --script`; a bad script or an
/// unreadable file is exit 2, with the problems as `check` prints them.
func loadSite(_ script: String) throws -> ScriptRuntime {
    guard let source = FileManager.default.contents(atPath: script) else {
        throw toolExit(2, "cannot read \(script)")
    }
    do {
        let log = try NightShiftLog(filePath: nil)
        let runtime = try ScriptRuntime(context: ScriptContext(log: log, options: ScriptOptions()))
        try runtime.loadSite(path: script, source: Array(source))
        return runtime
    } catch let problems as ScriptProblems {
        throw toolExit(2, "\(script): " + problems.problems.joined(separator: "\n"))
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
        throw toolExit(2, "\(error)")
    }
}
