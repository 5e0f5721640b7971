import Glibc

/// The one place a system call is retried after a signal interrupted it (EINTR), on the
/// model of swift-nio's `syscall(blocking:)`: a call site states the call once and gets its
/// result, never a loop of its own. `errno` is still the call's when the result is -1.
public enum Syscall {
    /// Runs `call` again while it returns -1 with `errno` EINTR; returns its last result.
    @inlinable
    public static func retryingInterrupts<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result != -1 || errno != EINTR { return result }
        }
    }
}
