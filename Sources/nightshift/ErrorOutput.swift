import ArgumentParser
import Foundation

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints `nightshift: message` on stderr and returns the exit code to throw (1 failure, 2 usage/setup).
func toolExit(_ code: Int32, _ message: String) -> ExitCode {
    printError("nightshift: \(message)")
    return ExitCode(code)
}
