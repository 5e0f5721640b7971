import Foundation
import Prometheus

/// The Prometheus textfile (`settings.metrics`) that node_exporter's textfile collector reads.
///
/// The text comes from swift-prometheus's registry and exposition, not a hand-written format:
/// label escaping and the `# TYPE` lines are its job.
public enum MetricsTextfile {
    /// The label naming a backup job. Not `job`: every Prometheus that scrapes the textfile
    /// sets its own `job` label and renames ours to `exported_job`.
    public static let jobLabel = "backup_job"

    /// The exposition text for `state` (its history counters included) as of `now`;
    /// `undelivered`: the notifications waiting in the outbox.
    public static func render(state: NightShiftState, now: Double, undelivered: Int = 0) -> String {
        let registry = PrometheusCollectorRegistry()
        // The full names (docs/lua-api.md, `metrics`) go in `metricName`; an empty unit adds no suffix.
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = [], _ value: Double) {
            registry.makeGauge(descriptor: descriptor(name, help), labels: labels).set(value)
        }
        func counter(_ name: String, _ help: String, _ labels: [(String, String)] = [], _ value: Int) {
            registry.makeCounter(descriptor: descriptor(name, help), labels: labels).increment(by: Int64(value))
        }
        let counters = state.history ?? HistoryCounters()
        for name in Set(state.jobs.keys).union(counters.jobs.keys).sorted() {
            let job = state.jobs[name] ?? JobState()
            let totals = counters.jobs[name] ?? JobCounters()
            let label = [(jobLabel, name)]
            if let good = job.lastGood {
                gauge("nightshift_job_last_success_timestamp_seconds", "End of the job's last good run.", label, good)
            }
            if let start = job.lastStart {
                gauge("nightshift_job_last_run_timestamp_seconds", "Start of the job's last run.", label, start)
                if let end = job.lastEnd {
                    gauge("nightshift_job_last_duration_seconds", "Wall time of the job's last run.", label, max(0, end - start))
                }
            }
            if let result = job.result, result != .running {
                gauge("nightshift_job_last_ok", "1 when the job's last run was ok or warning.", label, result.isGood ? 1 : 0)
            }
            gauge("nightshift_job_stale", "1 when the last good run is older than max_age.", label,
                  Staleness.check(name, job, now: now) == nil ? 0 : 1)
            if let maxAge = job.maxAge {
                gauge("nightshift_job_max_age_seconds", "The job's max_age: older last good runs are stale.", label, maxAge)
            }
            counter("nightshift_job_runs_total", "Runs of the job recorded in history.", label, totals.runs)
            counter("nightshift_job_failures_total", "Failed or interrupted runs of the job.", label, totals.failures)
        }
        for name in state.hosts.keys.sorted() {
            let host = state.hosts[name]!
            let label = [("host", name)]
            if let up = host.up { gauge("nightshift_host_up", "1 when the host answered the last sweep.", label, up ? 1 : 0) }
            if let seen = host.lastSeen {
                gauge("nightshift_host_last_seen_timestamp_seconds", "Last time the host answered.", label, seen)
            }
        }
        counter("nightshift_cycles_total", "Cycles recorded in history.", [], counters.cycles)
        gauge("nightshift_notifications_undelivered", "Notifications waiting in the outbox for another attempt.", [],
              Double(undelivered))
        if let cycle = state.lastCycle {
            gauge("nightshift_last_cycle_timestamp_seconds", "End of the last cycle.", [], cycle.end ?? cycle.start)
            if let next = cycle.nextCheck {
                gauge("nightshift_next_check_timestamp_seconds", "When the next check is due.", [], next)
            }
        }
        return registry.emitToString()
    }

    /// Writes the textfile for the state directory `stateDir` to `path`, atomically (write,
    /// fsync, rename) and world-readable (node_exporter runs as another user).
    ///
    /// The counters come from state.json, brought up to date in memory with the records
    /// appended since its last write (a few lines), never from a read of the whole history.
    public static func write(path: String, stateDir: String, now: Double) throws {
        var state = try StateStore(directory: stateDir).load(quarantine: false).state
        // A history that cannot be read (reported where it is written) leaves the stored totals.
        _ = try? HistoryCounters.catchUp(&state, directory: stateDir, now: now)
        let text = render(state: state, now: now, undelivered: Outbox(stateDir: stateDir).count())
        let url = URL(fileURLWithPath: path)
        try DurableFile.replace(directory: url.deletingLastPathComponent().path, name: url.lastPathComponent,
                                with: Array(text.utf8), mode: 0o644)
    }
}
