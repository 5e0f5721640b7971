import ArgumentParser
import NightShiftCore

/// `nightshift ping`: placeholder until the network primitives land.
struct PingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Not yet implemented.")
    func run() throws { throw ExitCode(2) }
}
