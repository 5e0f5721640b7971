/// How a night (a cycle that backed up) ended, for the trigger's bookkeeping.
public enum NightResult: String, Codable, Sendable {
    /// Every job ok, no warning.
    case ok
    /// A job warned, or a hook or a notification failed: still a good night.
    case warning
    /// A job or the routine failed.
    case failed
    /// Stopped by a signal, or its process died.
    case interrupted

    /// Whether the night counts as a backup done (it uses up the window and `min_interval`).
    public var isGood: Bool { self == .ok || self == .warning }
}

/// The night running now (written when it starts, cleared when it ends): one found at start-up
/// belongs to a process that died mid-night, and counts as a failed attempt.
public struct RunningNight: Codable, Equatable, Sendable {
    /// When it started (epoch).
    public var start: Double
    /// The force-window occurrence it started in (its opening, epoch), if any.
    public var windowKey: Double?
    /// Whether it was a `--manual` night.
    public var manual: Bool
    /// Whether the trigger found the failed series over when it started this night: its
    /// failure is then the first of a new series.
    public var newSeries: Bool

    /// Creates the record.
    public init(start: Double, windowKey: Double? = nil, manual: Bool = false, newSeries: Bool = false) {
        self.start = start
        self.windowKey = windowKey
        self.manual = manual
        self.newSeries = newSeries
    }

    private enum CodingKeys: String, CodingKey {
        case start, manual
        case windowKey = "window_key"
        case newSeries = "new_series"
    }

    /// Decodes a record; files written before `new_series` existed read it as false.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decode(Double.self, forKey: .start)
        windowKey = try c.decodeIfPresent(Double.self, forKey: .windowKey)
        manual = try c.decodeIfPresent(Bool.self, forKey: .manual) ?? false
        newSeries = try c.decodeIfPresent(Bool.self, forKey: .newSeries) ?? false
    }
}

/// What the trigger remembers of past nights: the last good automatic one (`min_interval`),
/// the failed attempts since (`max_attempts`), and the window occurrence already used.
public struct NightMemory: Codable, Equatable, Sendable {
    /// When the last night started and ended (epoch), and how it ended.
    public var lastStart: Double?
    public var lastEnd: Double?
    public var lastResult: NightResult?
    /// When the last automatic night that ended ok/warning ended (epoch).
    public var lastGoodAutomatic: Double?
    /// Failed automatic nights since the last good one (reset by a good night or a new window).
    public var failedAttempts: Int
    /// When the first of those failed nights started (epoch).
    public var firstFailed: Double?
    /// The force-window occurrence (its opening, epoch) that a good night or its attempts used up.
    public var windowUsed: Double?
    /// The night running now, if any.
    public var running: RunningNight?

    /// Creates an empty record.
    public init() {
        failedAttempts = 0
    }

    private enum CodingKeys: String, CodingKey {
        case running
        case lastStart = "last_start"
        case lastEnd = "last_end"
        case lastResult = "last_result"
        case lastGoodAutomatic = "last_good_automatic"
        case failedAttempts = "failed_attempts"
        case firstFailed = "first_failed"
        case windowUsed = "window_used"
    }

    /// Decodes a record, missing keys meaning "never".
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lastStart = try c.decodeIfPresent(Double.self, forKey: .lastStart)
        lastEnd = try c.decodeIfPresent(Double.self, forKey: .lastEnd)
        lastResult = try c.decodeIfPresent(NightResult.self, forKey: .lastResult)
        lastGoodAutomatic = try c.decodeIfPresent(Double.self, forKey: .lastGoodAutomatic)
        // Read as a number of any size so that an absurd count reaches the range check at load
        // (StateSanity) instead of failing the whole file or trapping later arithmetic.
        let attempts = try c.decodeIfPresent(Double.self, forKey: .failedAttempts) ?? 0
        failedAttempts = attempts.isFinite && abs(attempts) < 1e15 ? Int(attempts) : Int.max
        firstFailed = try c.decodeIfPresent(Double.self, forKey: .firstFailed)
        windowUsed = try c.decodeIfPresent(Double.self, forKey: .windowUsed)
        running = try c.decodeIfPresent(RunningNight.self, forKey: .running)
    }

    /// Records that a night starts now.
    public mutating func start(_ night: RunningNight) {
        running = night
        lastStart = night.start
    }

    /// Records how the running night ended. A good automatic night starts `min_interval`, clears
    /// the failed attempts and uses up its window occurrence; a failed or interrupted automatic
    /// night is one more attempt of its series (or the first of a new one, as the trigger
    /// decided when the night started), and the window is used up once the attempts are.
    public mutating func finish(_ result: NightResult, at time: Double, maxAttempts: Int) {
        let night = running ?? RunningNight(start: time)
        running = nil
        lastEnd = time
        lastResult = result
        if result.isGood {
            failedAttempts = 0
            firstFailed = nil
            if !night.manual {
                lastGoodAutomatic = time
                if let key = night.windowKey { windowUsed = max(windowUsed ?? key, key) }
            }
        } else if !night.manual {
            if night.newSeries || failedAttempts <= 0 || firstFailed == nil {
                failedAttempts = 1
                firstFailed = night.start
            } else {
                failedAttempts = min(failedAttempts, StateSanity.maxCount - 1) + 1
            }
            if let key = night.windowKey, failedAttempts >= max(1, maxAttempts) { windowUsed = max(windowUsed ?? key, key) }
        }
    }
}
