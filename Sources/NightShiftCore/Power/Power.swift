import Dispatch
import Subprocess
import Synchronization

/// Why a power action on this machine did not happen.
public struct PowerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `systemctl hibernate failed (exit 1): Sleep verb "hibernate" not supported`.
    public let message: String

    /// Creates an error with the given message.
    public init(message: String) { self.message = message }

    /// The message, so `"\(error)"` reads well in logs and Lua errors.
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

    /// Creates a power controller; by default commands run through swift-subprocess.
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

    /// The default runner: swift-subprocess, stdout and stderr combined, output capped at 64 KiB.
    /// It parks the calling thread, so call it from a plain thread (the Lua thread), never from
    /// inside the Swift concurrency pool.
    public static let subprocessRunner: Runner = { argv in
        guard let program = argv.first else { throw PowerError(message: "empty command") }
        let arguments = Array(argv.dropFirst())
        let box = RunnerResultBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                let result = try await Subprocess.run(
                    .name(program),
                    arguments: Arguments(arguments),
                    output: .string(limit: 64 * 1024),
                    error: .combinedWithOutput
                )
                let code: Int32
                switch result.terminationStatus {
                case .exited(let value): code = value
                case .signaled(let signal): code = 128 + signal
                }
                box.set(.success((code, result.standardOutput)))
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.take().get()
    }

    private static func lastLine(_ output: String) -> String {
        output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }
}

/// Carries the subprocess result from the detached task back to the parked caller.
private final class RunnerResultBox: Sendable {
    private let slot = Mutex<Result<(Int32, String), any Error>?>(nil)

    func set(_ result: Result<(Int32, String), any Error>) { slot.withLock { $0 = result } }

    func take() -> Result<(Int32, String), any Error> { slot.withLock { $0.take()! } }
}
