import ArgumentParser
import NightShiftCore

/// `nightshift time`: placeholder until the network primitives land.
struct TimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "time", abstract: "Not yet implemented.")
    func run() throws { throw ExitCode(2) }
}
