
/// Why a power action on this machine did not happen.
public struct PowerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `systemctl hibernate failed (exit 1): Sleep verb "hibernate" not supported`.
    public let message: String

    /// Creates an error with the given message.
    public init(message: String) { self.message = message }

    /// The message, so `"\(error)"` reads well in logs and error messages.
    public var description: String { message }
}

/// A way to put this machine to rest.
public enum PowerAction: String, Sendable, CaseIterable {
    /// Suspend to disk.
    case hibernate
    /// Suspend to RAM.
    case suspend
    /// Power off.
    case shutdown

    /// The systemd command line for the action (`systemctl poweroff` for `shutdown`).
    public var argv: [String] {
        switch self {
        case .hibernate: return ["systemctl", "hibernate"]
        case .suspend: return ["systemctl", "suspend"]
        case .shutdown: return ["systemctl", "poweroff"]
        }
    }
}

/// Hibernates, suspends or powers off this machine through `systemctl`; the command runner is
/// injected so that tests (and dry runs) never touch the real machine.
public struct Power: Sendable {
    /// Runs an argv (no shell) and returns its exit code and its combined output.
    public typealias Runner = @Sendable (_ argv: [String]) throws -> (code: Int32, output: String)

    private let runner: Runner

    /// Creates a power controller; by default commands run through `ProcessRunner`.
    public init(runner: @escaping Runner = Power.subprocessRunner) {
        self.runner = runner
    }

    /// `systemctl hibernate`.
    public func hibernate() -> Result<Void, PowerError> { perform(.hibernate) }

    /// `systemctl suspend`.
    public func suspend() -> Result<Void, PowerError> { perform(.suspend) }

    /// `systemctl poweroff`.
    public func shutdown() -> Result<Void, PowerError> { perform(.shutdown) }

    /// Runs the action's command; a non-zero exit or a failure to start becomes a ``PowerError``.
    public func perform(_ action: PowerAction) -> Result<Void, PowerError> {
        let argv = action.argv
        let command = argv.joined(separator: " ")
        do {
            let (code, output) = try runner(argv)
            guard code == 0 else {
                let detail = Self.lastLine(output)
                return .failure(PowerError(message: "\(command) failed (exit \(code))" + (detail.isEmpty ? "" : ": \(detail)")))
            }
            return .success(())
        } catch {
            return .failure(PowerError(message: "\(command) could not be started: \(error)"))
        }
    }

    /// Seconds `systemctl` may take before its process group is ended: a hung logind
    /// must not hold the night's end forever.
    public static let timeout: Double = 60

    /// The default runner: `ProcessRunner` (registered for SIGINT/SIGTERM teardown, its
    /// own process group, bounded capture), with ``timeout``; stdout and stderr
    /// combined. It parks the calling thread, so call it from a plain thread (the
    /// script's), never from inside the Swift concurrency pool.
    public static let subprocessRunner: Runner = runner(timeout: timeout)

    /// A runner like the default one with another timeout.
    public static func runner(timeout: Double) -> Runner {
        { argv in
            guard !argv.isEmpty else { throw PowerError(message: "empty command") }
            let request = ExecRequest(.argv(argv), timeout: timeout, logMode: .none, captureLimit: 64 * 1024)
            let result = try ProcessRunner.runBlocking(request)
            let code = result.code ?? 128 + (result.signal ?? 0)
            return (code, String(decoding: result.stdout + result.stderr, as: UTF8.self))
        }
    }

    private static func lastLine(_ output: String) -> String {
        output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }
}
