import ArgumentParser
import Foundation
import NightShiftCore

/// `nightshift history`: nights and job runs from history.jsonl, newest last.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the nights and job runs of history.jsonl, newest last.",
        discussion: "Example: nightshift history scripts/nightly.lua --job ServerZuBackup1 --last 10"
    )

    @Argument(help: "The site script (its state_dir is used).") var script: String?
    @Option(help: "State directory (default: the script's state_dir, else ./state).") var stateDir: String?
    @Option(help: "Only the runs of this job.") var job: String?
    @Option(help: "Only the last N lines.") var last: Int?
    @Flag(help: "Also the cycles that decided not to back up.") var all = false
    @Flag(help: "Print the records as JSON lines.") var json = false

    func validate() throws {
        if let last, last < 0 { throw ValidationError("--last must be 0 or more") }
    }

    func run() throws {
        let resolved = try ScriptState.resolve(script: script, stateDir: stateDir)
        try resolved.requireDirectory()
        let contents: HistoryContents
        do {
            contents = try HistoryReport.read(HistoryLog(directory: resolved.stateDir), job: job, last: last, allCycles: all)
        } catch {
            printError("nightshift: \(error)")
            throw ExitCode(.usage)
        }
        let records = contents.records
        print(json ? try HistoryReport.jsonLines(records) : HistoryReport.render(records), terminator: "")
        if contents.skippedLines > 0 {
            printError("nightshift: \(contents.skippedLines) line(s) of history.jsonl could not be read (skipped)")
        }
    }
}
