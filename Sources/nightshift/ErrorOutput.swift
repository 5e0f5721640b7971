import ArgumentParser
import Foundation
import NightShiftCore

/// Writes a line to standard error, control characters escaped (a script's value never
/// becomes a terminal escape or a fake line) and URLs redacted (`URLRedaction`: a job's
/// argv or an error may quote one with its credentials).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((TerminalText.safe(URLRedaction.redactURLs(in: text)) + "\n").utf8))
}

/// Writes a line to standard output, control characters escaped and URLs redacted.
func printSafe(_ text: String) {
    print(TerminalText.safe(URLRedaction.redactURLs(in: text)))
}

/// Prints `nightshift: message` on stderr and returns the exit code to throw.
func toolExit(_ status: ExitStatus, _ message: String) -> ExitCode {
    printError("nightshift: \(message)")
    return ExitCode(status)
}

extension ExitCode {
    /// The argument parser's exit code for one of `ExitStatus`'s.
    init(_ status: ExitStatus) { self.init(status.code) }
}
