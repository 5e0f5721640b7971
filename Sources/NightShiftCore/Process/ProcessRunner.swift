import Dispatch
import Subprocess
import Synchronization
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Runs child processes: own process group, streamed lines, bounded capture.
public enum ProcessRunner {
    /// Runs `request` to completion and streams its output lines to `lines`.
    ///
    /// The child leads a new session and process group. Its stdout and stderr are read
    /// concurrently; every line reaches `lines` as soon as its read returns,
    /// while the result keeps only the last `captureLimit` bytes of each.
    /// A timeout (or `ChildProcesses.terminateAll`) sends SIGTERM to the whole
    /// group and SIGKILL after `killGrace`. However the leader ends, every
    /// descendant still running (also those that left the group) is then ended the
    /// same way before this returns. Throws `ExecError` only when the program cannot
    /// be started or the request is invalid (a NUL byte); every way a started child
    /// ends is a result.
    public static func run(_ request: ExecRequest, lines: (any LineSink)? = nil) async throws -> ExecResult {
        BrokenPipe.ignore
        // Orphans of the job reparent to us, not to init: they stay in view until the
        // job's teardown ends them.
        Subreaper.enable()
        let argv = request.command.effectiveArgv
        guard let program = argv.first, !program.isEmpty else {
            throw ExecError(program: "", reason: "empty command")
        }
        do {
            try request.validate()
        } catch {
            throw ExecError(program: program.split(separator: "\0").first.map(String.init) ?? "", reason: error.message)
        }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        let runID = request.runID ?? ProcessFamily.makeRunID()
        var updates: [Environment.Key: String?] = [:]
        for (name, value) in request.env {
            guard !name.isEmpty, !name.contains("="), let key = Environment.Key(rawValue: name) else {
                throw ExecError(program: program, reason: "invalid environment variable name \"\(name)\"")
            }
            updates[key] = value
        }
        // Every descendant inherits the run id, which is how the teardown finds one
        // that left the job's session and lost its parent (see ProcessFamily).
        updates[Environment.Key(rawValue: ProcessFamily.environmentKey)!] = runID
        let environment = Environment.inherit.updating(updates)
        var options = PlatformOptions()
        // A new session (setsid in posix_spawn, before exec): the child leads its
        // own process group, so no grandchild can start outside the group we
        // signal, and it has no controlling terminal, so a tool that prompts on
        // /dev/tty (ssh, sudo) fails at once instead of stopping on SIGTTIN.
        options.createSession = true
        // Only used if the calling task is cancelled mid-run. Every other stop (a timeout,
        // our SIGINT/SIGTERM, the end of the job) is hand-written in RunControl and
        // ProcessFamily: Subprocess only spawns, reaps and reads here, because its teardown
        // runs on cancellation alone and cannot reach descendants that left the group.
        options.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: Seconds.duration(request.killGrace)),
        ]
        let configuration = Configuration(
            executable: executable,
            arguments: Arguments(Array(argv.dropFirst())),
            environment: environment,
            workingDirectory: request.cwd.map { FilePath($0) },
            platformOptions: options
        )
        let started = ContinuousClock.now
        do {
            if let stdin = request.stdin {
                // Our own writer rather than `.array(stdin)`: Subprocess 1.0.2
                // traps (fatalError on an unclosed descriptor) when a child exits
                // without reading all of an `.array` input.
                return try await launch(configuration, input: .inputWriter, request: request, runID: runID, sink: lines, started: started) { execution in
                    let writer = execution.standardInputWriter
                    return {
                        _ = try? await writer.write(stdin)
                        try? await writer.finish()
                    }
                }
            }
            return try await launch(configuration, input: .none, request: request, runID: runID, sink: lines, started: started) { _ in nil }
        } catch let error as SubprocessError {
            throw translate(error, program: program, cwd: request.cwd, path: request.env["PATH"] ?? getenv("PATH").map { String(cString: $0) })
        }
    }

    /// Runs `request` from a thread outside the Swift concurrency pool (the
    /// script's thread), blocking it until the child is reaped.
    ///
    /// Never call this from async code: it parks the calling thread, and on a
    /// two-core machine the pool has only two.
    public static func runBlocking(_ request: ExecRequest, lines: (any LineSink)? = nil) throws -> ExecResult {
        try BlockingBridge.wait { try await run(request, lines: lines) }
    }

    /// Runs `request` with its `logMode` routing the lines into `log` (under `label`,
    /// default the program's name).
    public static func run(_ request: ExecRequest, log: NightShiftLog, label: String? = nil) async throws -> ExecResult {
        let sink = log.processSink(mode: request.logMode, label: label ?? request.command.programName)
        return try await run(request, lines: sink)
    }

    /// Blocking form of `run(_:log:label:)`, for the script's thread.
    public static func runBlocking(_ request: ExecRequest, log: NightShiftLog, label: String? = nil) throws -> ExecResult {
        try BlockingBridge.wait { try await run(request, log: log, label: label) }
    }

    private static func launch<Input: InputProtocol>(
        _ configuration: Configuration,
        input: Input,
        request: ExecRequest,
        runID: String,
        sink: (any LineSink)?,
        started: ContinuousClock.Instant,
        feeder: (Execution<Input, SequenceOutput, SequenceOutput>) -> (@Sendable () async -> Void)?
    ) async throws -> ExecResult {
        let leader = Mutex<Int32?>(nil)
        let placement = await CgroupPlacement.prepare(request.cgroup ? runID : nil)
        defer { placement.finish() }
        ChildProcesses.spawnBegins()
        defer { ChildProcesses.spawnEnded(leader.withLock { $0 }) }
        let outcome = try await Subprocess.run(
            configuration,
            input: input,
            output: .sequence,
            error: .sequence
        ) { execution in
            let pid = execution.processIdentifier.value
            let cgroup = placement.spawned()
            ChildProcesses.spawned(pid)
            leader.withLock { $0 = pid }
            // The leader is unreaped until this closure returns, so its stat is readable.
            let leaderStart = ProcStat.startTime(of: pid) ?? 0
            let family = ProcessFamily(leader: pid, leaderStart: leaderStart, runID: runID, adoptsOrphans: true)
            let control = RunControl(pid: pid, family: family, cgroup: cgroup)
            ChildProcesses.register(control)
            // Before the reads start: Subprocess sizes them by the pipe's capacity.
            PipeCapacity.enlarge(childOf: pid)
            request.onStart?(ExecStart(pid: pid, startTime: leaderStart, runID: runID,
                                       containment: cgroup.map { .cgroup($0.path) } ?? .subreaper,
                                       containmentNote: placement.note))
            // The signal handler triggers the interruption before it calls
            // terminateAll; a child registered after terminateAll's snapshot is
            // therefore seen here, so none slips through.
            if let interruption = request.interruption, interruption.isTriggered {
                control.requestStop(.interrupt, grace: request.killGrace)
            }
            let pumped = await pump(execution, control: control, request: request, sink: sink, feed: feeder(execution))
            // The leader is gone, however it ended; whatever it left running (nohup,
            // a double fork, setsid) is ended now, before the job counts as over.
            await control.family.terminate(grace: request.killGrace)
            // The cgroup holds whatever the scans could not recognise (a descendant that
            // shed its run id, session and parent before any scan saw it).
            await cgroup?.terminate(grace: request.killGrace) { control.family.reap() }
            // Unregister before returning: Subprocess reaps the leader right
            // after, and only an unreaped leader keeps the group id ours.
            ChildProcesses.unregister(control)
            return Pumped(out: pumped.out, err: pumped.err, reason: control.reason,
                          containment: cgroup.map { .cgroup($0.path) } ?? .subreaper)
        }
        let elapsed = ContinuousClock.now - started
        let pumped = outcome.closureResult
        var code: Int32?
        var signal: Int32?
        switch outcome.terminationStatus {
        case .exited(let status): code = status
        case .signaled(let number): signal = number
        }
        let timedOut = pumped.reason == .timeout
        let interrupted = pumped.reason == .interrupt
        let ok = !timedOut && !interrupted && code.map { request.okCodes.contains($0) } == true
        return ExecResult(
            ok: ok,
            code: code,
            signal: signal,
            timedOut: timedOut,
            interrupted: interrupted,
            stdout: pumped.out.tail,
            stderr: pumped.err.tail,
            stdoutTruncated: pumped.out.truncated,
            stderrTruncated: pumped.err.truncated,
            stdoutBytes: pumped.out.total,
            stderrBytes: pumped.err.total,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            pid: outcome.processIdentifier.value,
            containment: pumped.containment
        )
    }

    private struct Captured: Sendable {
        var tail: [UInt8]
        var truncated: Bool
        var total: Int
    }

    private struct Pumped: Sendable {
        var out: Captured
        var err: Captured
        var reason: StopReason?
        var containment: Containment
    }

    private enum PumpEvent: Sendable {
        case stdout(Captured)
        case stderr(Captured)
        case supervisorDone
        case timerDone
        case stdinDone
        case trackerDone
        case leaderExited
    }

    /// Drains both streams while a supervisor waits for a stop request and a
    /// timer raises one at the deadline.
    private static func pump<Input: InputProtocol>(
        _ execution: Execution<Input, SequenceOutput, SequenceOutput>,
        control: RunControl,
        request: ExecRequest,
        sink: (any LineSink)?,
        feed: (@Sendable () async -> Void)?
    ) async -> (out: Captured, err: Captured) {
        let stdout = execution.standardOutput
        let stderr = execution.standardError
        return await withTaskGroup(of: PumpEvent.self) { group in
            group.addTask {
                .stdout(await drain(stdout, as: .stdout, request: request, sink: sink))
            }
            group.addTask {
                .stderr(await drain(stderr, as: .stderr, request: request, sink: sink))
            }
            if let feed {
                group.addTask {
                    // A child that exits without reading gives EPIPE (ignored):
                    // its exit status is what the caller needs.
                    await feed()
                    return .stdinDone
                }
            }
            group.addTask {
                for await stop in control.requests {
                    // An unstructured task, awaited: cancelling the group when
                    // the output ends must not cut the SIGKILL escalation short.
                    await Task { await control.escalate(grace: stop.grace) }.value
                    break
                }
                return .supervisorDone
            }
            group.addTask {
                // Records descendants while their ancestry is still visible and reaps
                // the adopted ones that exit: quick looks first, then once a second.
                var interval = 0.05
                while (try? await Task.sleep(for: Seconds.duration(interval))) != nil {
                    _ = control.family.scan()
                    control.family.reap()
                    interval = min(interval * 2, 1)
                }
                return .trackerDone
            }
            if let timeout = request.timeout {
                let grace = request.killGrace
                group.addTask {
                    if (try? await Task.sleep(for: Seconds.duration(timeout))) != nil {
                        control.requestStop(.timeout, grace: grace)
                    }
                    return .timerDone
                }
            }
            var out = Captured(tail: [], truncated: false, total: 0)
            var err = out
            var readers = 2
            while let event = await group.next() {
                switch event {
                case .stdout(let captured):
                    out = captured
                    readers -= 1
                case .stderr(let captured):
                    err = captured
                    readers -= 1
                case .leaderExited:
                    // Output over and leader gone: stop the timer; a teardown
                    // already under way finishes in its own task.
                    control.finish()
                    group.cancelAll()
                case .supervisorDone, .timerDone, .stdinDone, .trackerDone:
                    continue
                }
                if readers == 0 {
                    // Usually the reads ended because the leader exited (Subprocess
                    // ends them then), but a child may close both pipes and keep
                    // running: the timeout and terminateAll must still reach it.
                    readers = -1
                    group.addTask {
                        await control.waitForLeaderExit()
                        return .leaderExited
                    }
                }
            }
            return (out, err)
        }
    }

    private static func drain(
        _ sequence: SubprocessOutputSequence,
        as stream: ProcessStream,
        request: ExecRequest,
        sink: (any LineSink)?
    ) async -> Captured {
        var tail = TailBuffer(limit: request.captureLimit)
        var splitter = LineSplitter(maxLength: request.maxLineLength)
        do {
            for try await buffer in sequence {
                let chunk = buffer.withUnsafeBytes { Array($0) }
                tail.append(chunk)
                if let sink {
                    let lines = splitter.split(chunk)
                    if !lines.isEmpty { sink.receive(stream, lines: lines) }
                }
            }
        } catch {
            // A read error ends this stream like EOF would; the exit status
            // still tells the caller how the child ended.
        }
        if let sink {
            let rest = splitter.finish()
            if !rest.isEmpty { sink.receive(stream, lines: rest) }
        }
        return Captured(tail: tail.tail, truncated: tail.truncated, total: tail.total)
    }

    /// Why `program` could not be executed, as execvp would say: Subprocess reports
    /// "not found" also for a file that exists but is not executable.
    private static func diagnoseMissing(_ program: String, path: String?) -> Int32 {
        let candidates: [String]
        if program.contains("/") {
            candidates = [program]
        } else {
            let search = path ?? "/usr/local/bin:/usr/bin:/bin"
            candidates = search.split(separator: ":").map { ($0.isEmpty ? "." : String($0)) + "/" + program }
        }
        for candidate in candidates where access(candidate, F_OK) == 0 {
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return EISDIR }
            return EACCES
        }
        return ENOENT
    }

    private static func translate(_ error: SubprocessError, program: String, cwd: String?, path: String?) -> ExecError {
        let errno = error.underlyingError?.rawValue
        switch error.code {
        case .executableNotFound:
            // Its errno here is ENOENT even for an existing, non-executable file.
            return ExecError(program: program, errno: diagnoseMissing(program, path: path))
        case .failedToChangeWorkingDirectory:
            let why = errno.map { ": " + ExecError.describe(errno: $0) } ?? ""
            return ExecError(program: program, reason: "cannot change directory to \"\(cwd ?? "")\"\(why)")
        default:
            if let errno { return ExecError(program: program, errno: errno) }
            return ExecError(program: program, reason: "\(error)")
        }
    }
}
