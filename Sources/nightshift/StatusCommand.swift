import ArgumentParser
import Foundation
import NightShiftCore

/// `nightshift status`: last sweep per host, last result per job, next check.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last sweep per host, the last result per job and the next check.",
        discussion: "Example: nightshift status --state-dir scripts/state"
    )

    @Option(help: "State directory.") var stateDir: String = "state"

    func run() throws {
        guard FileManager.default.fileExists(atPath: stateDir) else {
            printError("nightshift: no state directory at \(stateDir): give --state-dir (your script's state_dir, relative to the script's folder)")
            throw ExitCode(2)
        }
        let store = StateStore(directory: stateDir)
        do {
            let loaded = try store.load(quarantine: false)
            print(StatusReport.render(loaded, stateFile: store.path, now: Date(), daemonPID: InstanceLock.holder(stateDir: stateDir)))
        } catch {
            printError("nightshift: \(error)")
            throw ExitCode(2)
        }
    }
}
