import ArgumentParser
import Foundation
import NightShiftCore

/// `nightshift status`: last sweep per host, last result per job, staleness, next check.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last sweep per host, the last result per job and the next check.",
        discussion: """
            Each swept host gets a 24-hour strip of the hours it was seen up over the last 28 days; \
            with SCRIPT, also when tonight's backup likely starts. \
            Exit code: 0 all is well, 1 a job's last run failed or a job is stale (its last good \
            backup is older than max_age), 2 usage. Example: nightshift status scripts/nightly.lua
            """
    )

    @Argument(help: "The site script (its state_dir and the jobs' max_age are used).") var script: String?
    @Option(help: "State directory (default: the script's state_dir, else ./state).") var stateDir: String?
    @Flag(help: "Print the status as one JSON object.") var json = false

    func run() throws {
        let resolved = try ScriptState.resolve(script: script, stateDir: stateDir)
        try resolved.requireDirectory()
        let store = StateStore(directory: resolved.stateDir)
        var loaded: LoadedState
        do {
            loaded = try store.load(quarantine: false)
        } catch {
            printError("nightshift: \(error)")
            throw ExitCode(2)
        }
        // The script's max_age wins over the one its last cycle recorded.
        for (name, age) in resolved.maxAges where loaded.state.jobs[name] != nil {
            loaded.state.jobs[name]?.maxAge = age
        }
        let now = Date()
        let forecast = resolved.settings?.forecast(loaded.state, now: now.timeIntervalSince1970)
        let undelivered = Outbox(stateDir: resolved.stateDir).count()
        if json {
            print(try StatusJSON.render(loaded, stateFile: store.path, now: now.timeIntervalSince1970, forecast: forecast,
                                     undelivered: undelivered), terminator: "")
        } else {
            print(StatusReport.render(loaded, stateFile: store.path, now: now,
                                      daemonPID: InstanceLock.holder(stateDir: resolved.stateDir), daemonLooked: true,
                                      forecast: forecast, undelivered: undelivered))
        }
        let code = StatusVerdict(loaded.state, now: now.timeIntervalSince1970).exitCode
        if code != 0 { throw ExitCode(code) }
    }
}
