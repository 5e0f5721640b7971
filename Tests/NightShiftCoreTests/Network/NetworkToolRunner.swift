import Foundation
import XCTest

/// Finds the built `nightshift` binary for the CLI tests (beside the test bundle, or $NIGHTSHIFT_BIN).
enum NetworkToolRunner {
    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["NIGHTSHIFT_BIN"], access(path, X_OK) == 0 { return path }
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleFolder, bundleFolder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("nightshift").path
            if access(path, X_OK) == 0 { return path }
        }
        throw XCTSkip("the nightshift binary is not built next to the tests (swift build --build-tests builds it; or set NIGHTSHIFT_BIN)")
    }

    /// Runs the binary with arguments, optionally wrapped (setpriv ...); returns status and output.
    static func run(_ arguments: [String], wrapper: [String] = []) throws -> (status: Int32, output: String) {
        try TestCommand.run(wrapper + [try binary()] + arguments)
    }
}
