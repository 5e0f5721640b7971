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
    @Flag(help: "Print the office status page (self-contained HTML, as settings.status_page writes it).") var html = false

    func validate() throws {
        if json && html { throw ValidationError("--json and --html cannot be combined") }
    }

    func run() throws {
        var resolved: ScriptState
        var broken: BrokenSite?
        if let script {
            // A broken script must not hide the state: the loop may still be backing up with
            // the last version that loaded.
            switch try loadSiteOrBroken(script, stateDir: stateDir) {
            case .success(let site):
                resolved = ScriptState(stateDir: site.settings.stateDir, maxAges: site.settings.jobMaxAges, site: site)
            case .failure(let b):
                broken = b
                resolved = ScriptState(stateDir: b.stateDir)
            }
        } else {
            resolved = try ScriptState.resolve(script: nil, stateDir: stateDir)
        }
        if let broken, let script, !json { printBroken(broken, script: script, stateDir: resolved.stateDir) }
        if let broken, json { for p in broken.problems { printError(p) } }
        try resolved.requireDirectory()
        let store = StateStore(directory: resolved.stateDir)
        var loaded: LoadedState
        do {
            loaded = try store.load(quarantine: false)
            for warning in loaded.warnings { printError("nightshift: warning: \(store.path): \(warning)") }
        } catch {
            printError("nightshift: \(error)")
            throw ExitCode(.usage)
        }
        // The script's max_age wins over the one its last cycle recorded.
        for (name, age) in resolved.maxAges where loaded.state.jobs[name] != nil {
            loaded.state.jobs[name]?.maxAge = age
        }
        let now = Date()
        let forecast = try resolved.forecast(loaded.state, now: now.timeIntervalSince1970)
        let undelivered = Outbox(stateDir: resolved.stateDir).count()
        // The recent past only: a status is cheap whatever the age of the installation.
        let recent = (try? StatusPage.recentHistory(stateDir: resolved.stateDir, now: now.timeIntervalSince1970)) ?? []
        if html {
            let s = resolved.settings
            let input = StatusPageInput(site: try resolved.siteName(), loaded: loaded, history: recent,
                                        now: now.timeIntervalSince1970,
                                        forceWindow: s?.forceWindow.flatMap { try? TimeWindow(parsing: $0) },
                                        jobOrder: s?.jobOrder ?? [], hostOrder: s?.hostOrder ?? [],
                                        lastLogLine: loaded.state.night.running == nil ? nil
                                            : s.flatMap { StatusPage.lastLine(ofLog: $0.logFile) })
            print(StatusPage.render(input), terminator: "")
        } else if json {
            print(try StatusJSON.render(loaded, stateFile: store.path, now: now.timeIntervalSince1970, forecast: forecast,
                                     undelivered: undelivered), terminator: "")
        } else {
            print(StatusReport.render(loaded, stateFile: store.path, now: now,
                                      daemonPID: InstanceLock.holder(stateDir: resolved.stateDir), daemonLooked: true,
                                      forecast: forecast, recent: recent, undelivered: undelivered))
        }
        let code = StatusVerdict(loaded.state, now: now.timeIntervalSince1970).exitCode
        if broken != nil { throw ExitCode(.usage) }
        if code != ExitStatus.ok.code { throw ExitCode(code) }
    }
}

extension StatusCommand {
    /// The script's errors above the state, and what the loop does meanwhile.
    private func printBroken(_ broken: BrokenSite, script: String, stateDir: String) {
        let n = broken.problems.count
        printSafe("\(script): \(n) error\(n == 1 ? "" : "s"):")
        for p in broken.problems { printSafe("  " + p) }
        if let pid = InstanceLock.holder(stateDir: stateDir) {
            printSafe("The running loop (pid \(pid)) keeps running the last good version of the script it loaded until this is fixed.")
        } else {
            printSafe("No loop is running: the loop runs the last good version of the script it loaded, and a new start refuses this one until it is fixed.")
        }
        printSafe("")
    }
}
