import Foundation
import XCTest
@testable import NightShiftCore

final class ProcessRunnerTests: XCTestCase {
    func testExitCodeAndBothStreams() async throws {
        let result = try await ProcessRunner.run(ExecRequest(.argv(["sh", "-c", "echo hi; echo err >&2; exit 3"])))
        XCTAssertFalse(result.ok)
        XCTAssertEqual(result.code, 3)
        XCTAssertNil(result.signal)
        XCTAssertFalse(result.timedOut)
        XCTAssertFalse(result.interrupted)
        XCTAssertEqual(text(result.stdout), "hi\n")
        XCTAssertEqual(text(result.stderr), "err\n")
        XCTAssertFalse(result.stdoutTruncated)
        XCTAssertGreaterThan(result.seconds, 0)
        XCTAssertEqual(result.summary, "exit 3")
    }

    /// The child's stdout and stderr pipes are enlarged to 1 MiB (fewer hand-offs per GB streamed).
    /// The child polls its own pipe size (bounded, 10 s): the parent enlarges it right after the start.
    func testTheChildsOutputPipesAreEnlarged() async throws {
        let script = """
            import fcntl, sys, time
            F_GETPIPE_SZ = 1032
            deadline = time.time() + 10
            while time.time() < deadline and min(fcntl.fcntl(1, F_GETPIPE_SZ), fcntl.fcntl(2, F_GETPIPE_SZ)) < 1048576:
                time.sleep(0.01)
            print(fcntl.fcntl(1, F_GETPIPE_SZ), fcntl.fcntl(2, F_GETPIPE_SZ))
            """
        let result = try await ProcessRunner.run(ExecRequest(.argv(["python3", "-c", script])))
        XCTAssertEqual(result.code, 0, text(result.stderr))
        XCTAssertEqual(text(result.stdout), "1048576 1048576\n")
    }

    func testOkCodesDecideOk() async throws {
        let request = ExecRequest(.argv(["sh", "-c", "exit 3"]), okCodes: [0, 3])
        let accepted = try await ProcessRunner.run(request)
        XCTAssertTrue(accepted.ok)
        XCTAssertEqual(accepted.code, 3)
        let zero = try await ProcessRunner.run(ExecRequest(.argv(["true"]), okCodes: [1]))
        XCTAssertFalse(zero.ok)
        XCTAssertEqual(zero.code, 0)
    }

    func testShellStringRunsThroughSh() async throws {
        let result = try await ProcessRunner.run(ExecRequest(.shell("x=4; echo $((x * 2)) | tr 8 9")))
        XCTAssertTrue(result.ok)
        XCTAssertEqual(text(result.stdout), "9\n")
    }

    func testArgvIsNotInterpretedByAShell() async throws {
        let result = try await ProcessRunner.run(ExecRequest(.argv(["printf", "%s|", "$HOME", "a b", "`id`;"])))
        XCTAssertEqual(text(result.stdout), "$HOME|a b|`id`;|")
    }

    func testEnvIsAddedCwdAndStdin() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let request = ExecRequest(
            .argv(["sh", "-c", #"printf '%s|%s|%s|' "$NS_TEST_VAR" "$(pwd -P)" "${PATH:+has-path}"; cat"#]),
            cwd: dir,
            env: ["NS_TEST_VAR": "bar baz"],
            stdin: Array("from stdin\n".utf8)
        )
        let result = try await ProcessRunner.run(request)
        let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        XCTAssertEqual(text(result.stdout), "bar baz|\(real)|has-path|from stdin\n")
        XCTAssertTrue(result.ok)
    }

    func testLargeStdinIsFedCompletely() async throws {
        let input = [UInt8](repeating: UInt8(ascii: "z"), count: 3_000_000)
        let result = try await ProcessRunner.run(ExecRequest(.argv(["wc", "-c"]), stdin: input))
        XCTAssertEqual(text(result.stdout).trimmingCharacters(in: .whitespacesAndNewlines), "3000000")
    }

    func testChildIgnoringStdinDoesNotKillUs() async throws {
        // The child exits without reading: our write gets EPIPE, not SIGPIPE.
        let input = [UInt8](repeating: 1, count: 4_000_000)
        let result = try await ProcessRunner.run(ExecRequest(.argv(["true"]), stdin: input))
        XCTAssertTrue(result.ok)
    }

    func testBinaryOutputIsKeptByteForByte() async throws {
        let result = try await ProcessRunner.run(ExecRequest(.argv(["printf", #"\000\377\n\001"#])))
        XCTAssertEqual(result.stdout, [0, 255, 10, 1])
    }

    func testProgramNotFoundThrowsClearError() async throws {
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv(["nosuchprog-nightshift"])))
            XCTFail("expected an error")
        } catch let error as ExecError {
            XCTAssertEqual(error.description, #"cannot start "nosuchprog-nightshift": No such file or directory"#)
        }
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv(["/no/such/dir/prog"])))
            XCTFail("expected an error")
        } catch let error as ExecError {
            XCTAssertEqual(error.program, "/no/such/dir/prog")
            XCTAssertTrue(error.description.hasPrefix(#"cannot start "/no/such/dir/prog": "#), error.description)
        }
    }

    func testNonExecutableFileThrowsPermissionDenied() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/not-executable.sh"
        XCTAssertTrue(FileManager.default.createFile(atPath: script, contents: Data("echo hi\n".utf8), attributes: [.posixPermissions: 0o644]))
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv([script])))
            XCTFail("expected an error")
        } catch let error as ExecError {
            XCTAssertEqual(error.description, "cannot start \"\(script)\": Permission denied")
        }
        // Found through PATH but not executable: execvp's answer too.
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv(["not-executable.sh"]), env: ["PATH": dir]))
            XCTFail("expected an error")
        } catch let error as ExecError {
            XCTAssertEqual(error.description, #"cannot start "not-executable.sh": Permission denied"#)
        }
    }

    func testMissingWorkingDirectoryThrows() async throws {
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv(["true"]), cwd: "/no/such/folder"))
            XCTFail("expected an error")
        } catch let error as ExecError {
            XCTAssertTrue(error.description.contains("/no/such/folder"), error.description)
        }
    }

    func testKilledBySignalReportsSignalNotCode() async throws {
        let result = try await ProcessRunner.run(ExecRequest(.argv(["sh", "-c", "kill -USR1 $$"])))
        XCTAssertNil(result.code)
        XCTAssertEqual(result.signal, SIGUSR1)
        XCTAssertFalse(result.ok)
        XCTAssertFalse(result.timedOut)
    }

    func testTimeoutKillsTheWholeGroupPromptly() async throws {
        let request = ExecRequest(.argv(["sh", "-c", "sleep 30 & sleep 30; wait"]), timeout: 1)
        let start = ContinuousClock.now
        let result = try await ProcessRunner.run(request)
        let elapsed = ContinuousClock.now.seconds(since: start)
        XCTAssertTrue(result.timedOut)
        XCTAssertFalse(result.ok)
        XCTAssertEqual(result.signal, SIGTERM)
        XCTAssertNil(result.code)
        XCTAssertGreaterThanOrEqual(elapsed, 0.95)
        XCTAssertLessThan(elapsed, 1.5)
        XCTAssertEqual(membersLeft(ofGroup: result.pid), [], "processes of group \(result.pid) survived")
        XCTAssertFalse(ChildProcesses.groups.contains(result.pid))
    }

    func testTimeoutEscalatesToSigkillForAChildIgnoringSigterm() async throws {
        // An ignored SIGTERM survives exec, so both the shell and its sleeps ignore it.
        let request = ExecRequest(
            .argv(["sh", "-c", "trap '' TERM; sleep 30 & sleep 30; wait"]),
            timeout: 0.5,
            killGrace: 0.5
        )
        let start = ContinuousClock.now
        let result = try await ProcessRunner.run(request)
        let elapsed = ContinuousClock.now.seconds(since: start)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.signal, SIGKILL)
        XCTAssertLessThan(elapsed, 2)
        XCTAssertEqual(membersLeft(ofGroup: result.pid), [])
    }

    func testBackgroundGrandchildHoldingThePipeDoesNotBlockReturn() async throws {
        // sh exits at once; the sleep it leaves behind still holds stdout open.
        let start = ContinuousClock.now
        let result = try await ProcessRunner.run(ExecRequest(.argv(["sh", "-c", "sleep 3 & echo started"])))
        XCTAssertLessThan(ContinuousClock.now.seconds(since: start), 2)
        XCTAssertEqual(text(result.stdout), "started\n")
        XCTAssertEqual(result.code, 0)
        kill(-result.pid, SIGKILL)
    }

    func testLinesReachTheSinkAsTheyArrive() async throws {
        let sink = RecordingSink()
        let start = ContinuousClock.now
        let request = ExecRequest(.argv(["sh", "-c", "echo one; echo warn >&2; sleep 1; echo two"]))
        let result = try await ProcessRunner.run(request, lines: sink)
        let end = ContinuousClock.now
        XCTAssertEqual(sink.lines(.stdout), ["one", "two"])
        XCTAssertEqual(sink.lines(.stderr), ["warn"])
        let first = try XCTUnwrap(sink.all.first { $0.text == "one" })
        XCTAssertLessThan(first.at.seconds(since: start), 0.7, "first line was not streamed")
        XCTAssertGreaterThan(end.seconds(since: first.at), 0.7, "first line arrived only at the end")
        XCTAssertTrue(result.ok)
    }

    func testCaptureKeepsTheTailAndTheSinkGetsEverything() async throws {
        let sink = RecordingSink(countOnly: true)
        let request = ExecRequest(.argv(["seq", "1", "200000"]), captureLimit: 1000)
        let result = try await ProcessRunner.run(request, lines: sink)
        XCTAssertTrue(result.stdoutTruncated)
        XCTAssertFalse(result.stderrTruncated)
        XCTAssertEqual(result.stdout.count, 1000)
        XCTAssertTrue(text(result.stdout).hasSuffix("199999\n200000\n"))
        // Sum of the lengths of "1\n" ... "200000\n".
        let expected = (1...200_000).reduce(0) { $0 + String($1).count + 1 }
        XCTAssertEqual(result.stdoutBytes, expected)
        XCTAssertEqual(sink.count, 200_000)
    }

    func testVeryLongLinesAreSplitForTheSink() async throws {
        let sink = RecordingSink()
        let request = ExecRequest(.shell("head -c 200000 /dev/zero | tr '\\0' a; printf '\\nshort\\n'"), maxLineLength: 65536)
        _ = try await ProcessRunner.run(request, lines: sink)
        XCTAssertEqual(sink.lines(.stdout).map(\.count), [65536, 65536, 65536, 200000 - 3 * 65536, 5])
        XCTAssertEqual(sink.lines(.stdout).last, "short")
    }

    func testUnterminatedLastLineAndCRLFAreHandled() async throws {
        let sink = RecordingSink()
        _ = try await ProcessRunner.run(ExecRequest(.argv(["printf", #"dos\r\nlast"#])), lines: sink)
        XCTAssertEqual(sink.lines(.stdout), ["dos", "last"])
    }

    func testRunBlockingFromAPlainThread() throws {
        let result = try ProcessRunner.runBlocking(ExecRequest(.argv(["sh", "-c", "echo blocking"])))
        XCTAssertEqual(text(result.stdout), "blocking\n")
        XCTAssertThrowsError(try ProcessRunner.runBlocking(ExecRequest(.argv(["nosuchprog-nightshift"])))) { error in
            XCTAssertTrue(error is ExecError)
        }
    }

    func testEmptyArgvIsRejected() async {
        do {
            _ = try await ProcessRunner.run(ExecRequest(.argv([])))
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue(error is ExecError)
        }
    }

    func testInfiniteTimeoutMeansNoTimeout() async throws {
        let result = try await ProcessRunner.run(ExecRequest(.argv(["true"]), timeout: .infinity, killGrace: .nan))
        XCTAssertTrue(result.ok)
        XCTAssertFalse(result.timedOut)
    }

    func testTimeoutStillAppliesAfterTheChildClosesItsOutput() async throws {
        let start = ContinuousClock.now
        let result = try await ProcessRunner.run(ExecRequest(.shell("echo bye; exec >&- 2>&-; sleep 30"), timeout: 1))
        XCTAssertLessThan(ContinuousClock.now.seconds(since: start), 1.6)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(text(result.stdout), "bye\n")
        XCTAssertEqual(membersLeft(ofGroup: result.pid), [])
    }
}
