import ArgumentParser
import NightShiftCore

/// The `nightshift` command: a thin shell over the scripting layer and the core.
@main
struct NightShiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightshift",
        abstract: "Backup scheduler: wakes machines, copies, switches them off again at night.",
        version: NightShiftVersion.string,
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, PingCommand.self, WakeCommand.self, TimeCommand.self,
        ]
    )
}
