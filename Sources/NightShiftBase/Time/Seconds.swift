/// Turns caller-supplied seconds into a `Duration` without trapping.
///
/// `Duration.seconds(Double)` traps on infinity and NaN, and these values come
/// straight from site scripts (an infinite sleep is one line away); negatives and NaN mean
/// "no wait", anything beyond a century is a century.
package enum Seconds {
    package static let longest: Double = 100 * 365 * 86_400

    /// `seconds` clamped to 0...100 years (NaN -> 0).
    package static func clamped(_ seconds: Double) -> Double {
        guard seconds > 0 else { return 0 }
        return min(seconds, longest)
    }

    /// The clamped value as a Duration.
    package static func duration(_ seconds: Double) -> Duration {
        .seconds(clamped(seconds))
    }
}
