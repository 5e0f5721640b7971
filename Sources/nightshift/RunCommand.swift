import ArgumentParser
import NightShiftCore
import NightShiftScripting

/// `nightshift run SCRIPT`: the scheduling loop.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the backup loop: sweep, decide, back up, maybe sleep; the script is reloaded every cycle.",
        discussion: """
            Examples:
              nightshift run scripts/nightly.lua                 # the loop, every check_every
              nightshift run scripts/nightly.lua --once          # one cycle (systemd timer, cron)
              nightshift run scripts/nightly.lua --once --dry-run   # print the plan, touch nothing
              nightshift run scripts/nightly.lua --once --manual    # back up now, whoever is online

            Exit codes: 0 ok, 1 a job failed (with --once), 2 usage or script error, 130/143 interrupted.
            """
    )

    @Argument(help: "The site script (Lua).") var script: String
    @Flag(help: "Run one cycle and exit with its result.") var once = false
    @Flag(help: "Back up on the first cycle regardless of who is online.") var manual = false
    @Flag(help: "Probe for real, but only log what would be sent, run or switched off.") var dryRun = false
    @Flag(help: "Trace every primitive call with its arguments and result.") var debug = false
    @Flag(help: "Never put this machine to sleep.") var noSleep = false
    @Option(help: "State directory (overrides settings.state_dir).") var stateDir: String?
    @Option(help: "Log file (overrides settings.log_file).") var logFile: String?

    func run() throws {
        let log = try makeLog(debug: debug)
        // SIGHUP is logrotate's `postrotate`: the loop goes on with a fresh log file.
        let trap = SignalTrap.install(onHangup: { log.reopen() })
        let options = ScriptOptions(dryRun: dryRun, debug: debug, manual: manual, noSleep: noSleep,
                                    stateDir: stateDir, logFile: logFile)
        let code = CycleLoop(scriptPath: script, options: options, once: once, log: log).run()
        withExtendedLifetime(trap) {}
        throw ExitCode(code)
    }
}

/// The console log every command starts with; the script's log file is added once known.
func makeLog(debug: Bool) throws -> NightShiftLog {
    do {
        return try NightShiftLog(filePath: nil, debug: debug)
    } catch {
        throw ValidationError("\(error)")
    }
}
