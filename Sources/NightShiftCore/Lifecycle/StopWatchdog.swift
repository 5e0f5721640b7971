import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ends the process when a stop did not end it in time, whatever the Lua VM does
/// (docs/design.md, invariant 15).
///
/// SIGTERM normally stops a night through the interruption check in Lua's count hook. Lua
/// runs no hook inside a long C call (a pattern match that backtracks) nor in a finalizer,
/// so the stop must not depend on it: `arm` starts a thread of its own that, `deadline`
/// seconds after the signal, kills what is left of the jobs' process groups, runs the last
/// words (recording `interrupted` from Swift, without the Lua state) and exits 128+signal.
public final class StopWatchdog: Sendable {
    /// The process-wide watchdog, armed by `SignalTrap`.
    public static let shared = StopWatchdog()

    /// Seconds from the signal to the forced exit: after the children's grace period
    /// (`ProcessTeardown.grace`), within the 10 s invariant 15 promises.
    public static let deadline: Double = 7

    /// What records the stop; replaced as the run goes on (nil: nothing to record).
    private let lastWords = Mutex<(@Sendable (Int32) -> Void)?>(nil)
    /// Whether the stop was recorded; held while it is being recorded, so the watchdog
    /// waits for a recording the main thread is in the middle of instead of racing it.
    private let recorded = Mutex<Bool>(false)
    private let armed = Atomic<Bool>(false)

    /// Creates a watchdog (tests make their own; the program uses `shared`).
    public init() {}

    /// Sets what the watchdog records when it has to end the process.
    public func setLastWords(_ words: (@Sendable (Int32) -> Void)?) {
        lastWords.withLock { $0 = words }
    }

    /// Records the stop with `words`, unless it was recorded already (by whichever of the
    /// main thread and the watchdog came first). Returns whether `words` ran.
    @discardableResult
    public func recordOnce(signal: Int32, _ words: (Int32) -> Void) -> Bool {
        recorded.withLock { done in
            guard !done else { return false }
            words(signal)
            done = true
            return true
        }
    }

    /// Starts the countdown to the forced exit (once; later calls do nothing). `exit` is
    /// what ends the process (tests observe it instead).
    public func arm(signal: Int32, after seconds: Double = StopWatchdog.deadline,
                    exit: @escaping @Sendable (Int32) -> Void = { Glibc._exit($0) }) {
        guard !armed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // A thread of its own: the Dispatch pool may be busy with the very work that hangs.
        let thread = Thread { [self] in
            Thread.sleep(forTimeInterval: seconds)
            for group in ChildProcesses.groups { killpg(group, SIGKILL) }
            let words = lastWords.withLock { $0 }
            if let words { recordOnce(signal: signal, words) }
            exit(ExitStatus.code(stoppedBy: signal))
        }
        thread.name = "nightshift.watchdog"
        thread.start()
    }

    /// True once `arm` was called.
    public var isArmed: Bool { armed.load(ordering: .sequentiallyConsistent) }
}
