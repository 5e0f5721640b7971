/// The one grace period between SIGTERM and SIGKILL, for every way a job's processes
/// are ended: its timeout, a SIGINT/SIGTERM of ours, the end of the job and the
/// recovery of a copy a dead instance left running.
public enum ProcessTeardown {
    /// Seconds a process group has after SIGTERM before SIGKILL: long enough for a
    /// copy tool to close its files, short enough not to hold up a shutdown.
    public static let grace: Double = 5
}
