import Dispatch
import Synchronization

/// Runs async work on the cooperative pool and parks the calling thread until it ends.
///
/// The script interpreter runs on a plain thread and calls primitives synchronously;
/// this is the one place that crosses from that thread into async code.
public enum BlockingBridge {
    /// Blocks the caller until `work` finishes, returning its value or rethrowing its error.
    /// Must not be called from inside the concurrency pool.
    public static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                box.set(.success(try await work()))
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.take().get()
    }
}

private final class ResultBox<T: Sendable>: Sendable {
    private let slot = Mutex<Result<T, any Error>?>(nil)

    func set(_ result: Result<T, any Error>) {
        slot.withLock { $0 = result }
    }

    func take() -> Result<T, any Error> {
        slot.withLock { $0.take()! }
    }
}
