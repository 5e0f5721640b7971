import XCTest
@testable import NightShiftCore

/// A NUL byte would cut a C string short (`"tr\0ue"` ran `tr`): refused in one place.
final class ExecRequestValidationTests: XCTestCase {
    private func problem(_ request: ExecRequest) -> ExecRequestProblem? {
        do throws(ExecRequestProblem) {
            try request.validate()
            return nil
        } catch {
            return error
        }
    }

    func testNULBytesAreRefusedWhereverTheyAre() {
        XCTAssertEqual(problem(ExecRequest(.argv(["tr\0ue"]))), .init(part: .command, message: "argv[1] contains a NUL byte"))
        XCTAssertEqual(problem(ExecRequest(.argv(["echo", "a", "b\0"])))?.message, "argv[3] contains a NUL byte")
        XCTAssertEqual(problem(ExecRequest(.shell("true\0; rm x"))), .init(part: .command, message: "the command contains a NUL byte"))
        XCTAssertEqual(problem(ExecRequest(.argv(["true"]), cwd: "/tmp\0x")), .init(part: .options, message: "field 'cwd' contains a NUL byte"))
        XCTAssertEqual(problem(ExecRequest(.argv(["true"]), env: ["A": "1\0"]))?.message, "env.A contains a NUL byte")
        XCTAssertEqual(problem(ExecRequest(.argv(["true"]), env: ["A\0B": "1"]))?.message,
                       "field 'env' has a variable name with a NUL byte")
        XCTAssertNil(problem(ExecRequest(.argv(["true"]), cwd: "/tmp", env: ["A": "1"])))
    }

    func testTheRunnerRefusesThemTooAndRunsNothing() async throws {
        let dir = try makeTemporaryDirectory()
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv(["touch", dir + "/made\0x"])))
            XCTFail("ran")
        } catch let error as ExecError {
            XCTAssertEqual(error.description, "cannot start \"touch\": argv[2] contains a NUL byte")
        }
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv(["tr\0ue"])))
            XCTFail("ran")
        } catch let error as ExecError {
            XCTAssertEqual(error.description, "cannot start \"tr\": argv[1] contains a NUL byte")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/made"))
    }
}
