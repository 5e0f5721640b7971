import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A one-shot "stop now" flag that a signal handler raises and waiters see at once.
///
/// `trigger` does only an atomic store and a `write` to a pipe, both
/// async-signal-safe, so it may be called from a raw `sigaction` handler as
/// well as from a signal-handling thread. Waiters block in `poll` on a
/// self-pipe, which stays readable once triggered, so every waiter wakes.
public final class Interruption: Sendable {
    /// The process-wide instance that every wait and the SIGINT/SIGTERM handler share.
    public static let shared = Interruption()

    private let signalNumber = Atomic<Int32>(0)
    private let readEnd: Int32
    private let writeEnd: Int32

    /// Creates an untriggered flag (tests make their own; the program uses `shared`).
    public init() {
        var ends: [Int32] = [-1, -1]
        let rc = pipe(&ends)
        precondition(rc == 0, "pipe failed: \(ExecError.describe(errno: errno))")
        for fd in ends {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Raises the flag, recording `signal` (SIGINT unless told). Async-signal-safe.
    public func trigger(signal: Int32 = SIGINT) {
        signalNumber.store(signal == 0 ? SIGINT : signal, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// True once `trigger` has been called (and `reset` has not).
    public var isTriggered: Bool { signalNumber.load(ordering: .sequentiallyConsistent) != 0 }

    /// The signal recorded by `trigger`, or nil.
    public var signal: Int32? {
        let value = signalNumber.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }

    /// Lowers the flag again (e.g. between test cases).
    public func reset() {
        signalNumber.store(0, ordering: .sequentiallyConsistent)
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &scratch, scratch.count) > 0 {}
    }

    /// Throws `InterruptedError` if the flag is raised.
    public func check() throws(InterruptedError) {
        if let signal { throw InterruptedError(signal: signal) }
    }

    /// Blocks up to `seconds`; returns true as soon as the flag is raised,
    /// false when the time ran out.
    public func wait(seconds: Double) -> Bool {
        let deadline = ContinuousClock.now + Seconds.duration(seconds)
        while !isTriggered {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return false }
            let (whole, atto) = left.components
            let millis = Int32(clamping: whole * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000)
            var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, millis)  // EINTR or a timeout: the loop re-checks
        }
        return true
    }

    /// Sleeps `seconds` unless interrupted, in which case it throws at once.
    public func sleep(seconds: Double) throws(InterruptedError) {
        if wait(seconds: seconds) { try check() }
    }
}

/// A sleep or countdown was cut short by SIGINT/SIGTERM.
public struct InterruptedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The signal that interrupted.
    public var signal: Int32
    /// Creates the error for `signal`.
    public init(signal: Int32) { self.signal = signal }
    /// `interrupted (SIGINT)`.
    public var description: String {
        switch signal {
        case SIGINT: return "interrupted (SIGINT)"
        case SIGTERM: return "interrupted (SIGTERM)"
        default: return "interrupted (signal \(signal))"
        }
    }
}
