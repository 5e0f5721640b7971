import Foundation

/// Everything the status page shows, gathered by the caller; rendering it reads no file.
public struct StatusPageInput: Sendable {
    /// The page's title: `settings.site`.
    public var site: String
    /// state.json as loaded.
    public var loaded: LoadedState
    /// The recent history records (the last ``StatusPage/days`` days is enough), oldest first.
    public var history: [HistoryRecord]
    /// The moment the page describes (epoch).
    public var now: Double
    /// The zone of the times and days shown.
    public var timeZone: ZoneRules
    /// The force window, when the site has one (for "next window").
    public var forceWindow: TimeWindow?
    /// The jobs in the script's order; empty: the state's jobs by name.
    public var jobOrder: [String]
    /// The hosts in the script's order (this machine left out); empty: the state's hosts by name.
    public var hostOrder: [String]
    /// The last line the log got, shown while a night runs.
    public var lastLogLine: String?

    /// Creates the input.
    public init(site: String, loaded: LoadedState, history: [HistoryRecord], now: Double, timeZone: ZoneRules = .local,
                forceWindow: TimeWindow? = nil, jobOrder: [String] = [], hostOrder: [String] = [],
                lastLogLine: String? = nil) {
        self.site = site
        self.loaded = loaded
        self.history = history
        self.now = now
        self.timeZone = timeZone
        self.forceWindow = forceWindow
        self.jobOrder = jobOrder
        self.hostOrder = hostOrder
        self.lastLogLine = lastLogLine
    }

    /// The jobs to show: the script's order, then any the state knows that it no longer declares.
    var jobs: [String] {
        let known = loaded.state.jobs.keys.sorted()
        return jobOrder + known.filter { !jobOrder.contains($0) }
    }

    /// The hosts to show, ordered like ``jobs``.
    var hosts: [String] {
        let known = loaded.state.hosts.keys.sorted()
        return hostOrder + known.filter { !hostOrder.contains($0) }
    }

    /// The cycle records, oldest first.
    var cycles: [CycleRecord] {
        history.compactMap { if case .cycle(let c) = $0 { return c } else { return nil } }
    }

    /// The job records of `name`, oldest first.
    func runs(of name: String) -> [JobRecord] {
        history.compactMap { if case .job(let j) = $0, j.name == name { return j } else { return nil } }
    }
}
