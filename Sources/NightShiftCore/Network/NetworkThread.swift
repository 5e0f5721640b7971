import Foundation

/// Runs blocking socket loops off Swift's cooperative pool: a sweep may sit in poll(2) for
/// minutes (wait_up), which must not starve the two-core pool the rest of the program uses.
enum NetworkThread {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = "nightshift-net"
            thread.start()
        }
    }
}
