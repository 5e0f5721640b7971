/// The identity of a child that has just started, for recording it (state.json) so a later
/// instance can tell whether it still runs.
public struct ExecStart: Sendable, Hashable {
    /// The leader's pid, which is also its process group and session id.
    public var pid: Int32
    /// The leader's start time (clock ticks since boot, /proc/PID/stat field 22).
    public var startTime: UInt64
    /// The `NIGHTSHIFT_RUN_ID` every descendant inherits.
    public var runID: String
    /// What keeps its descendants from outliving it.
    public var containment: Containment = .subreaper
    /// Why it has no cgroup of its own, when it has none.
    public var containmentNote: String?
}
