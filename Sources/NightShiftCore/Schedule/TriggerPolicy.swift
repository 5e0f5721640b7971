import Foundation

/// Everything the backup trigger looks at, passed in so the decision is a pure function.
public struct TriggerInput: Sendable {
    /// The instant to decide for (injected clock).
    public var now: Date
    /// Names of the hosts that count for "everybody is offline" (never this machine).
    public var watchedHosts: [String]
    /// Recent sweeps, oldest first; the last one is the sweep just made.
    public var recentSweeps: [SweepRecord]
    /// How many consecutive sweeps must find every watched host offline (at least 1).
    public var offlineSweeps: Int
    /// The force window, if the site has one.
    public var forceWindow: TimeWindow?
    /// When a backup last ran inside the force window (its window key or its start time).
    public var lastWindowRun: Date?
    /// Whether a manual run was asked for (`--manual`).
    public var manual: Bool
    /// The zone the force window is read in.
    public var timeZone: TimeZone

    /// Creates the input; `offlineSweeps` below 1 is treated as 1.
    public init(
        now: Date,
        watchedHosts: [String],
        recentSweeps: [SweepRecord],
        offlineSweeps: Int = 1,
        forceWindow: TimeWindow? = nil,
        lastWindowRun: Date? = nil,
        manual: Bool = false,
        timeZone: TimeZone = .current
    ) {
        self.now = now
        self.watchedHosts = watchedHosts
        self.recentSweeps = recentSweeps
        self.offlineSweeps = max(1, offlineSweeps)
        self.forceWindow = forceWindow
        self.lastWindowRun = lastWindowRun
        self.manual = manual
        self.timeZone = timeZone
    }
}

/// Whether to back up now, and why, in words an admin reads in the log.
public struct TriggerDecision: Equatable, Sendable {
    /// Whether the backup should start.
    public var run: Bool
    /// Why, e.g. `"all 6 watched hosts offline for 2 sweeps"`.
    public var reason: String
    /// The start of the force-window occurrence this run falls in; the caller persists it as
    /// `last_window_run` once the backup starts. Nil when not running or outside the window.
    public var windowKey: Date?

    /// Creates a decision.
    public init(run: Bool, reason: String, windowKey: Date? = nil) {
        self.run = run
        self.reason = reason
        self.windowKey = windowKey
    }
}

/// The original program's trigger rule as a pure function: manual, everybody offline, or the
/// force window once per occurrence. The Lua standard library may call it or replace it.
public enum TriggerPolicy {
    /// Decides whether to back up now.
    ///
    /// Any run that starts inside the force window sets `windowKey`: a backup made there because
    /// everybody was offline satisfies "once per window" as well as a forced one does.
    public static func decide(_ input: TriggerInput) -> TriggerDecision {
        let occurrence = input.forceWindow.flatMap { $0.windowStart(containing: input.now, in: input.timeZone) }

        if input.manual {
            return TriggerDecision(run: true, reason: "manual run", windowKey: occurrence)
        }

        let offline = offlineState(input)
        if offline.triggers {
            return TriggerDecision(run: true, reason: offline.text, windowKey: occurrence)
        }

        if let window = input.forceWindow, let start = occurrence {
            let end = window.windowEnd(containing: input.now, in: input.timeZone) ?? input.now
            // A range check, not equality, so the caller may persist either the key or the real start time.
            if let last = input.lastWindowRun, last >= start, last < end {
                let at = clockText(last, input.timeZone)
                return TriggerDecision(
                    run: false,
                    reason: "\(offline.text); inside force window \(window) but already ran at \(at) in this window"
                )
            }
            return TriggerDecision(
                run: true,
                reason: "inside force window \(window) (not yet run in this window); \(offline.text)",
                windowKey: start
            )
        }

        var reason = offline.text
        if let window = input.forceWindow {
            let next = window.nextStart(after: input.now, in: input.timeZone)
            reason += "; force window \(window) opens in \(DurationText.format(next.timeIntervalSince(input.now)))"
        }
        return TriggerDecision(run: false, reason: reason)
    }

    private static func offlineState(_ input: TriggerInput) -> (triggers: Bool, text: String) {
        let watched = input.watchedHosts
        let needed = input.offlineSweeps
        guard !watched.isEmpty else {
            // Like the original ("every machine but itself is offline"), nobody to wait for means go.
            return (true, "no watched hosts")
        }
        guard let latest = input.recentSweeps.last else {
            return (false, "no sweep yet")
        }
        let online = watched.filter { latest.up[$0] == true }
        let unprobed = watched.filter { latest.up[$0] == nil }
        if !online.isEmpty || !unprobed.isEmpty {
            var parts: [String] = []
            if !online.isEmpty {
                parts.append("\(online.count) of \(watched.count) watched \(hosts(watched.count)) online: \(online.joined(separator: ", "))")
            }
            if !unprobed.isEmpty {
                parts.append("\(unprobed.count) of \(watched.count) watched \(hosts(watched.count)) not probed: \(unprobed.joined(separator: ", "))")
            }
            return (false, parts.joined(separator: "; "))
        }
        var streak = 0
        for sweep in input.recentSweeps.reversed() {
            guard watched.allSatisfy({ sweep.up[$0] == false }) else { break }
            streak += 1
            if streak == needed { break }
        }
        let who = watched.count == 1 ? "watched host \(watched[0])" : "all \(watched.count) watched hosts"
        if streak >= needed {
            return (true, "\(who) offline for \(needed) \(sweeps(needed))")
        }
        return (false, "\(who) offline for \(streak) of \(needed) \(sweeps(needed))")
    }

    private static func hosts(_ n: Int) -> String { n == 1 ? "host" : "hosts" }
    private static func sweeps(_ n: Int) -> String { n == 1 ? "sweep" : "sweeps" }

    private static func clockText(_ date: Date, _ zone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.hour, .minute], from: date)
        let h = c.hour ?? 0, m = c.minute ?? 0
        return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
    }
}
