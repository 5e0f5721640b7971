import Glibc

/// A failure reading or writing a state, history or lock file, naming the file and the cause.
public struct StateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `cannot rename /x/.state.json.tmp-1-2 to /x/state.json: No space left on device`.
    public let message: String

    /// Creates an error with the given message.
    public init(message: String) { self.message = message }

    /// The message, so `"\(error)"` reads well in logs and error messages.
    public var description: String { message }

    /// An error for a failed system call, with `strerror(errno)` appended.
    static func system(_ what: String, errno code: Int32 = errno) -> StateError {
        StateError(message: "\(what): \(String(cString: strerror(code)))")
    }
}
