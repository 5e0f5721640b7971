#if canImport(Glibc)
import Glibc
#endif

/// Why a program could not be started: the only error running one throws (an exit code is a result).
public struct ExecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The program as the caller named it.
    public var program: String
    /// What went wrong, e.g. `No such file or directory`.
    public var reason: String

    /// Creates an error for `program`.
    public init(program: String, reason: String) {
        self.program = program
        self.reason = reason
    }

    /// Creates an error for `program` from an errno value.
    public init(program: String, errno code: Int32) {
        self.init(program: program, reason: ExecError.describe(errno: code))
    }

    /// `cannot start "nosuchprog": No such file or directory`.
    public var description: String { "cannot start \"\(program)\": \(reason)" }

    /// The C library's text for an errno value.
    static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
