import Synchronization

/// Nested time limits for pieces of site code, measured on the monotonic clock.
///
/// A scope is opened around each hook, trigger or run function (`open`) and closed when it
/// returns. Time spent inside work that has bounds of its own (a job the routine runs, with
/// its own `timeout`) is not charged to the enclosing scopes (`pause` / `resume`). The
/// budget never stops anything itself: the count hook of the interpreter and the blocking
/// primitives ask `remaining` and end their wait when it reaches zero.
public final class TimeBudget: Sendable {
    /// One open scope.
    public struct Scope: Sendable {
        /// What runs in it, for messages ("handler for \"after_job\"").
        public var label: String
        /// Its limit, in seconds.
        public var limit: Double
        /// Seconds charged before the last resume.
        var charged: Double
        /// When it was last resumed; nil while paused.
        var resumedAt: ContinuousClock.Instant?

        /// Seconds left at `now` (a paused scope's clock stands still).
        func left(at now: ContinuousClock.Instant) -> Double {
            limit - charged - (resumedAt.map { TimeBudget.seconds(now - $0) } ?? 0)
        }
    }

    private let scopes = Mutex<[Scope]>([])

    /// Creates an empty budget (nothing is limited).
    public init() {}

    /// Opens a scope of `limit` seconds; returns its depth, for `close`.
    @discardableResult
    public func open(_ label: String, limit: Double) -> Int {
        scopes.withLock { list in
            list.append(Scope(label: label, limit: Seconds.clamped(limit), charged: 0, resumedAt: .now))
            return list.count
        }
    }

    /// Closes the scope at `depth` (and any left open inside it).
    public func close(depth: Int) {
        scopes.withLock { list in
            if list.count >= depth { list.removeLast(list.count - depth + 1) }
        }
    }

    /// Stops charging every open scope (work with its own bounds is running).
    /// Returns a token for `resume`.
    public func pause() -> [Bool] {
        let now = ContinuousClock.now
        return scopes.withLock { list in
            var wasRunning: [Bool] = []
            for i in list.indices {
                if let since = list[i].resumedAt {
                    list[i].charged += Self.seconds(now - since)
                    list[i].resumedAt = nil
                    wasRunning.append(true)
                } else {
                    wasRunning.append(false)
                }
            }
            return wasRunning
        }
    }

    /// Charges the scopes `pause` stopped again.
    public func resume(_ token: [Bool]) {
        let now = ContinuousClock.now
        scopes.withLock { list in
            for (i, running) in token.enumerated() where running && i < list.count {
                list[i].resumedAt = now
            }
        }
    }

    /// Seconds left in the tightest running scope; nil when no scope limits now.
    public var remaining: Double? {
        let now = ContinuousClock.now
        return scopes.withLock { list in
            list.filter { $0.resumedAt != nil }.map { $0.left(at: now) }.min()
        }
    }

    /// The first running scope whose time is up, if any.
    public var expired: Scope? {
        let now = ContinuousClock.now
        return scopes.withLock { list in
            list.first { $0.resumedAt != nil && $0.left(at: now) <= 0 }
        }
    }

    /// Whether the scope at `depth` is open and out of time.
    public func isExpired(depth: Int) -> Bool {
        let now = ContinuousClock.now
        return scopes.withLock { list in
            guard depth >= 1, depth <= list.count else { return false }
            return list[depth - 1].left(at: now) <= 0
        }
    }

    /// `seconds`, cut to what the budget leaves (never negative).
    public func clamp(_ seconds: Double) -> Double {
        guard let left = remaining else { return seconds }
        return max(0, min(seconds, left))
    }

    fileprivate static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
