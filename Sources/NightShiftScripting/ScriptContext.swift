import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// What the Lua primitives share during one run: the log, the flags, the state store,
/// and injectable clocks so tests never touch the real ones.
public final class ScriptContext {
    /// Console and log file.
    public let log: NightShiftLog
    /// CLI flags.
    public let options: ScriptOptions
    /// Set by SIGINT/SIGTERM.
    public let interruption: Interruption
    /// Steps this machine's clock (`ns.time.step`).
    public var clockStepper: any ClockStepper
    /// The wall clock (`ns.now`), injectable for tests.
    public var now: () -> Double
    /// Runs `systemctl` for `ns.power.*` when the self host has no action of its own.
    public var power: Power
    /// The state directory; nil until the script's settings are known.
    public var stateDirectory: String?
    /// The byte offset of the log file when the current cycle began (for failure reports).
    public var cycleLogOffset: UInt64 = 0
    /// When the current cycle began (epoch seconds).
    public var cycleStart: Double = 0
    /// `settings.max_attempts` of the loaded script (the night bookkeeping needs it); nil until one loaded.
    public var maxAttempts: Int64?
    /// `settings.max_clock_step` of the loaded script (seconds); nil until one loaded.
    public var maxClockStep: Double?
    /// The time limits of the site code running now (`hook_timeout`, a run function's `timeout`).
    public let budget = TimeBudget()
    /// The job that runs now (between `core.state.job_started` and `job_finished`): the
    /// programs `ns.exec` starts meanwhile are recorded as its process in state.json.
    public var currentJob: String?
    /// What this cycle could not write to state.json or history.jsonl (each message names
    /// the file and the system's error): a night whose record is lost fails visibly.
    public var recordFailures: [String] = []
    /// `settings.status_page`, rewritten at every phase of a night; nil: no page.
    public var statusPage: StatusPageTarget?
    /// Whether this cycle already logged that the page could not be written (once per cycle).
    var statusPageFailed = false

    /// Creates a context.
    public init(log: NightShiftLog, options: ScriptOptions, interruption: Interruption = .shared,
                clockStepper: any ClockStepper = SystemClockStepper(),
                now: @escaping () -> Double = { Date().timeIntervalSince1970 },
                power: Power = Power()) {
        self.log = log
        self.options = options
        self.interruption = interruption
        self.clockStepper = clockStepper
        self.now = now
        self.power = power
    }

    /// Raises the Lua error that unwinds a script after SIGINT/SIGTERM, or when the site
    /// code running now is out of time.
    func checkInterrupted() throws {
        if let signal = interruption.signal {
            throw LuaRuntimeError("interrupted by \(signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "signal \(signal)")")
        }
        if let scope = budget.expired {
            throw LuaRuntimeError("\(scope.label): time limit of \(DurationText.format(scope.limit)) exceeded")
        }
    }

    /// `seconds` of waiting cut to what the running site code has left.
    func bounded(_ seconds: Double) -> Double { budget.clamp(seconds) }

    /// `now` as a date: what state.json's values are range-checked against at load, so an
    /// injected clock and the records it wrote agree.
    var nowDate: Date { Date(timeIntervalSince1970: now()) }

    /// The state store, once the state directory is known.
    var stateStore: StateStore? { stateDirectory.map { StateStore(directory: $0) } }

    /// Logs `message` (a state or history write that failed) and keeps it for the cycle's result.
    func recordFailed(_ message: String) {
        log.error(message)
        recordFailures.append(message)
    }

    /// Logs a dry-run line: what would have happened.
    func dryRun(_ what: String) {
        log.info("DRY-RUN would \(what)")
    }
}
