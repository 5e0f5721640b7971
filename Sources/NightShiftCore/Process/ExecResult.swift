/// How a child ended and what it printed.
public struct ExecResult: Sendable, Hashable {
    /// True when the child exited by itself with a code in `okCodes`, within its timeout.
    public var ok: Bool
    /// The exit status; nil when a signal ended the child.
    public var code: Int32?
    /// The signal that ended the child; nil when it exited.
    public var signal: Int32?
    /// True when the timeout expired and the process group was terminated.
    public var timedOut: Bool
    /// True when `ChildProcesses.terminateAll` ended the child (a SIGINT/SIGTERM of ours).
    public var interrupted: Bool
    /// The captured standard output (its tail when `stdoutTruncated`).
    public var stdout: [UInt8]
    /// The captured standard error (its tail when `stderrTruncated`).
    public var stderr: [UInt8]
    /// True when stdout was longer than the capture limit and only its tail is kept.
    public var stdoutTruncated: Bool
    /// True when stderr was longer than the capture limit and only its tail is kept.
    public var stderrTruncated: Bool
    /// Total bytes the child wrote to stdout.
    public var stdoutBytes: Int
    /// Total bytes the child wrote to stderr.
    public var stderrBytes: Int
    /// Wall-clock seconds from start to reaping.
    public var seconds: Double
    /// The child's process id, which is also its process group id.
    public var pid: Int32
    /// What kept its descendants from outliving it.
    public var containment: Containment = .subreaper

    /// A one-line summary for the log, e.g. `exit 3`, `killed by signal 15 (timeout)`.
    public var summary: String {
        var text: String
        if let code {
            text = "exit \(code)"
        } else if let signal {
            text = "killed by signal \(signal)"
        } else {
            text = "unknown status"
        }
        if timedOut { text += " (timeout)" }
        if interrupted { text += " (interrupted)" }
        return text
    }
}
