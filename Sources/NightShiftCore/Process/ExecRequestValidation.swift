/// A request that cannot be run as given: the message names the part, e.g.
/// `argv[1] contains a NUL byte`.
public struct ExecRequestProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which part of a request is wrong.
    public enum Part: Sendable, Hashable {
        /// The argv or the shell command.
        case command
        /// An option: cwd, env (argument #2).
        case options
    }

    /// Where the problem is.
    public var part: Part
    /// What is wrong, e.g. `argv[1] contains a NUL byte`.
    public var message: String

    /// The message.
    public var description: String { message }
}

extension ExecRequest {
    /// Checks what the C side would silently cut short: a NUL byte ends a C string, so
    /// `"tr\0ue"` would run `tr`. The runner refuses such a request; the binding calls
    /// this first to raise an argument error.
    public func validate() throws(ExecRequestProblem) {
        switch command {
        case .argv(let argv):
            for (i, item) in argv.enumerated() where item.utf8.contains(0) {
                throw ExecRequestProblem(part: .command, message: "argv[\(i + 1)] contains a NUL byte")
            }
        case .shell(let line):
            if line.utf8.contains(0) {
                throw ExecRequestProblem(part: .command, message: "the command contains a NUL byte")
            }
        }
        if let cwd, cwd.utf8.contains(0) {
            throw ExecRequestProblem(part: .options, message: "field 'cwd' contains a NUL byte")
        }
        for (name, value) in env.sorted(by: { $0.key < $1.key }) {
            if name.utf8.contains(0) {
                throw ExecRequestProblem(part: .options, message: "field 'env' has a variable name with a NUL byte")
            }
            if value.utf8.contains(0) {
                throw ExecRequestProblem(part: .options, message: "env.\(name) contains a NUL byte")
            }
        }
    }
}
