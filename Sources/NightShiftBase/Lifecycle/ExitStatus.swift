import Glibc

/// The exit statuses of every `nightshift` command, in one place: the CLI, the run loop and
/// the tools all answer with these (README and docs/design.md list them for admins).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// All went well.
    case ok = 0
    /// What was asked failed: a job (`run --once`), a host down (`ping`), a job failed or
    /// stale (`status`), a packet or an answer that did not come (`wake`, `time`).
    case failed = 1
    /// A usage, script or configuration error: nothing was done.
    case usage = 2
    /// Stopped by SIGINT (the shell's 128 + signal).
    case interrupted = 130
    /// Stopped by SIGTERM (the shell's 128 + signal).
    case terminated = 143

    /// The status as a process exit code.
    public var code: Int32 { rawValue }

    /// The shell's status for a stop by `signal`: 130 for SIGINT, 143 for SIGTERM, 128 + N for others.
    public static func code(stoppedBy signal: Int32) -> Int32 {
        switch signal {
        case SIGINT: return interrupted.code
        case SIGTERM: return terminated.code
        default: return 128 + signal
        }
    }
}
