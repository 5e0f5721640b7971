import ArgumentParser
import Foundation
import NightShiftCore

/// The `nightshift` command: a thin shell over the scripting layer and the core.
@main
struct NightShiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightshift",
        abstract: "Backup scheduler: wakes machines, copies, switches them off again at night.",
        discussion: """
            The site's policy is a Lua script (see docs/lua-api.md); nightshift reloads it every cycle.

            Examples:
              nightshift check scripts/nightly.lua
              nightshift run scripts/nightly.lua --once --dry-run
              nightshift run scripts/nightly.lua
              nightshift status --state-dir scripts/state
              nightshift ping 10.0.0.5 10.0.0.6 --timeout 0.5
              nightshift wake EE-EE-EE-EE-EE-EE --via 10.0.0.1

            Exit codes: 0 ok, 1 a job failed (run --once) or a host is down (ping),
            2 usage, script or configuration error, 130/143 interrupted.
            """,
        version: NightShiftVersion.string,
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, HistoryCommand.self, PingCommand.self, WakeCommand.self, TimeCommand.self,
            ApiCommand.self,
        ]
    )

    /// Runs the command; usage errors exit 2 (docs/design.md), not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.usage.code)
            }
            exit(withError: error)
        }
    }
}
