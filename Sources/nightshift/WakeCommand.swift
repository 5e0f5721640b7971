import ArgumentParser
import NightShiftCore

/// `nightshift wake`: placeholder until the network primitives land.
struct WakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wake", abstract: "Not yet implemented.")
    func run() throws { throw ExitCode(2) }
}
