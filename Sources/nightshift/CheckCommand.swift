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
    @Flag(help: "Also read the state (never changing it) and tell when tonight's backup likely starts, from the hours the watched hosts were seen up.")
    var explain = false
    @Option(help: "State directory for --explain (default: the script's state_dir).") var stateDir: String?
    @Flag(help: "Also rehearse without changing anything: probe every host now, try each answering host's ssh login (a no-op), query each time source, send one test message to each notification endpoint. Exit 1 when an item failed.")
    var live = false

    func run() throws {
        // The rehearsal asks the real world, so it cannot be a dry run; loading a script changes nothing.
        let site = try loadSite(script, stateDir: stateDir, dryRun: !live)
        let writes = try resolvedWrites(site, script: script)
        let problems = writeProblems(writes)
        if !problems.isEmpty {
            printError("\(script): \(problems.count) error\(problems.count == 1 ? "" : "s"):")
            for p in problems { printError(p) }
            throw ExitCode(.usage)
        }
        printSafe("\(script): OK")
        for line in try site.runtime.plan() { printSafe(line) }
        printSafe("  state directory: \(absolute(site.settings.stateDir))")
        printSafe("  log file: \(absolute(site.settings.logFile))")
        if explain { try explainTonight(site) }
        if live {
            let paths = writes.map { LiveItem(status: "ok", item: "path " + ($0.planned.key == "report" ? "report" : $0.planned.key),
                                              detail: "\($0.path) can be written") }
            let code = LiveCheck.report(try site.runtime.liveCheck() + paths)
            if code != .ok { throw ExitCode(code) }
        }
    }
}

extension CheckCommand {
    /// `--explain`: the watched hosts' hour strips and tonight's likely start, from state.json
    /// as it is (read without quarantining or cleaning anything).
    private func explainTonight(_ site: LoadedSite) throws {
        let settings = site.settings
        let store = StateStore(directory: settings.stateDir)
        print("Presence and tonight's trigger (\(absolute(store.path))):")
        let loaded: LoadedState
        do {
            loaded = try store.load(quarantine: false)
        } catch {
            printError("nightshift: \(error)")
            throw ExitCode(.usage)
        }
        if !loaded.condition.isKnown { print("  state: \(loaded.condition)") }
        let now = Date().timeIntervalSince1970
        for line in PresenceReport.lines(loaded.state.hosts, names: settings.watched, now: now) { print("  " + line) }
        for line in try site.forecast(loaded.state, now: now).lines { print("  " + line) }
    }
}

/// `path` made absolute against the working directory, as `run` will use it.
func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    return (full as NSString).standardizingPath
}
