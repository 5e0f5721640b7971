/// What a child runs: an argv (no shell) or one command line for `/bin/sh -c`.
public enum ExecCommand: Sendable, Hashable {
    /// Runs `argv[0]` (resolved through `PATH` unless it holds a `/`) with the rest as arguments.
    case argv([String])
    /// Runs the string through `/bin/sh -c`.
    case shell(String)

    /// The argv that is actually executed (`["/bin/sh", "-c", cmd]` for a shell command).
    public var effectiveArgv: [String] {
        switch self {
        case .argv(let argv): return argv
        case .shell(let command): return ["/bin/sh", "-c", command]
        }
    }

    /// A short name for log lines: the program's last path component.
    public var programName: String {
        guard let first = effectiveArgv.first else { return "?" }
        return first.split(separator: "/").last.map(String.init) ?? first
    }
}

/// Where a child's output lines go while it runs.
public enum LogMode: String, Sendable, Hashable, CaseIterable {
    /// Log file only (the default).
    case file
    /// Console and log file.
    case both
    /// Console only.
    case console
    /// Nowhere; the output is still captured in the result.
    case none
}

/// One process to run, with every option `ProcessRunner` knows.
public struct ExecRequest: Sendable {
    /// The program and its arguments, or a shell command.
    public var command: ExecCommand
    /// Seconds after which the whole process group is terminated; nil waits forever.
    public var timeout: Double?
    /// Working directory; nil inherits ours.
    public var cwd: String?
    /// Variables added to (or overriding) the inherited environment.
    public var env: [String: String]
    /// Bytes fed to the child's standard input; nil gives it an empty input.
    public var stdin: [UInt8]?
    /// Exit codes that count as success.
    public var okCodes: Set<Int32>
    /// Where output lines are streamed while the child runs.
    public var logMode: LogMode
    /// Seconds between SIGTERM and SIGKILL when a timeout hits or the job's leftovers are ended.
    /// The run id the program and its descendants get (`NIGHTSHIFT_RUN_ID`); nil: a fresh one.
    public var runID: String?
    public var killGrace: Double
    /// Bytes of stdout and of stderr kept in the result (the tail is kept).
    public var captureLimit: Int
    /// Lines longer than this are handed to the sink in pieces of this size.
    public var maxLineLength: Int
    /// When this is already triggered as the child starts, the child is stopped
    /// at once like `ChildProcesses.terminateAll` would (closing the window
    /// between a spawn and a SIGINT's teardown). Nil: never checked.
    public var interruption: Interruption?
    /// Called once the child runs, before its output is read (e.g. to record it in
    /// state.json); runs on a pool thread, so it must be quick.
    public var onStart: (@Sendable (ExecStart) -> Void)?
    /// True: the child runs in a cgroup v2 of its own where the system offers a writable
    /// one (`JobCgroup`), else with the subreaper's /proc scans alone.
    public var cgroup: Bool

    /// Creates a request; every option but the command has its documented default.
    public init(
        _ command: ExecCommand,
        timeout: Double? = nil,
        cwd: String? = nil,
        env: [String: String] = [:],
        stdin: [UInt8]? = nil,
        okCodes: Set<Int32> = [0],
        logMode: LogMode = .file,
        killGrace: Double = ProcessTeardown.grace,
        captureLimit: Int = 1 << 20,
        maxLineLength: Int = 64 << 10,
        interruption: Interruption? = .shared,
        onStart: (@Sendable (ExecStart) -> Void)? = nil,
        cgroup: Bool = true
    ) {
        self.command = command
        self.timeout = timeout
        self.cwd = cwd
        self.env = env
        self.stdin = stdin
        self.okCodes = okCodes
        self.logMode = logMode
        self.killGrace = killGrace
        self.captureLimit = captureLimit
        self.maxLineLength = maxLineLength
        self.interruption = interruption
        self.onStart = onStart
        self.cgroup = cgroup
    }
}
