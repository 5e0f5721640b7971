/// An error raised by Lua code (or by a binding) and caught by a protected call.
public struct LuaError: Error, CustomStringConvertible, Equatable {
    /// The error message, with `file:line:` where Lua knew it.
    public let message: String
    /// The stack traceback at the point of the error, when one was taken.
    public let traceback: String

    /// Creates an error from a message and an optional traceback.
    public init(message: String, traceback: String = "") {
        self.message = message
        self.traceback = traceback
    }

    /// Splits what the traceback message handler produced into message and traceback.
    init(handled text: String) {
        if let r = text.range(of: "\nstack traceback:") {
            message = String(text[..<r.lowerBound])
            traceback = String(text[text.index(after: r.lowerBound)...])
        } else {
            message = text
            traceback = ""
        }
    }

    public var description: String { message }
}

/// An error a Swift binding throws to report a bad argument, worded like Lua's own
/// `luaL_argerror`: `bad argument #1 to 'wake' (invalid MAC address "zz")`.
public struct LuaArgumentError: Error, CustomStringConvertible {
    /// The 1-based argument position.
    public let position: Int
    /// The function name as the script sees it.
    public let function: String
    /// What is wrong with the argument.
    public let reason: String

    /// Creates the error for argument `position` of `function`.
    public init(position: Int, function: String, reason: String) {
        self.position = position
        self.function = function
        self.reason = reason
    }

    public var description: String { "bad argument #\(position) to '\(function)' (\(reason))" }
}

/// A plain error a binding raises in Lua with the caller's `file:line:` prefixed,
/// like `error(msg)` or `luaL_error` would.
public struct LuaRuntimeError: Error, CustomStringConvertible {
    /// The message, without position.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
