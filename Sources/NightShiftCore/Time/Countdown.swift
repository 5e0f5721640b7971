#if canImport(Glibc)
import Glibc
#endif

/// Waits, showing a live countdown on a terminal and one line in the log.
public enum Countdown {
    /// Waits `seconds`, or until `interruption` is triggered (then throws at once).
    ///
    /// The log file gets exactly one line, `text HH:MM:SS`. On a terminal the
    /// console shows `text HH:MM:SS ...`, rewritten in place every second and
    /// erased at the end; on anything else the console gets that one line only.
    public static func run(
        seconds: Double,
        text: String,
        log: NightShiftLog,
        interruption: Interruption = .shared
    ) throws(InterruptedError) {
        let total = Seconds.clamped(seconds)
        let line = "\(text) \(clock(total))"
        try interruption.check()
        guard log.consoleIsTerminal else {
            log.info(line)
            try interruption.sleep(seconds: total)
            return
        }
        log.file(line)
        let deadline = ContinuousClock.now + Seconds.duration(total)
        defer { log.clearStatus() }
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return }
            let leftSeconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            // Show the remaining whole seconds (a few ms of timer slack must not
            // show an extra second) and wake when the next one is reached, so
            // the display ticks 00:00:03, 00:00:02, ... on time.
            let shown = max(1, (leftSeconds - 0.005).rounded(.up))
            log.status("\(text) \(clock(shown)) ...")
            try interruption.sleep(seconds: leftSeconds - (shown - 1))
        }
    }

    /// `HH:MM:SS` for a number of seconds, rounded up (hours may exceed 99).
    public static func clock(_ seconds: Double) -> String {
        let whole = Int(max(0, seconds).rounded(.up))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(whole / 3600)):\(two(whole / 60 % 60)):\(two(whole % 60))"
    }
}
