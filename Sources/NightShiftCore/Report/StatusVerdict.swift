/// Whether all is well, for `nightshift status`'s exit code: 1 when a job's last result is
/// failed or a job is stale, else 0 - usable as a monitoring check as it is.
public struct StatusVerdict: Equatable, Sendable {
    /// Jobs whose last run failed, sorted.
    public var failed: [String]
    /// Stale jobs, sorted by name.
    public var stale: [StaleJob]

    /// The verdict on `state` as of `now`.
    public init(_ state: NightShiftState, now: Double) {
        failed = state.jobs.filter { $0.value.result == .failed }.map(\.key).sorted()
        stale = Staleness.stale(in: state, now: now)
    }

    /// `ok` when all is well, `failed` otherwise, as an exit code.
    public var exitCode: Int32 { (failed.isEmpty && stale.isEmpty ? ExitStatus.ok : .failed).code }
}
