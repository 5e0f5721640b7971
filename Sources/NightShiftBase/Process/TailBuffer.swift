/// Keeps the last `limit` bytes of a stream and counts all of them.
///
/// Storage is allowed to reach twice the limit before the head is dropped,
/// so trimming costs amortised O(1) per byte instead of a shift per chunk.
package struct TailBuffer {
    package let limit: Int
    package private(set) var total = 0
    private var bytes: [UInt8] = []

    package init(limit: Int) {
        self.limit = max(0, limit)
    }

    package mutating func append(_ chunk: [UInt8]) {
        total += chunk.count
        guard limit > 0 else { return }
        if chunk.count >= limit {
            bytes = Array(chunk.suffix(limit))
            return
        }
        bytes.append(contentsOf: chunk)
        if bytes.count > 2 * limit {
            bytes.removeFirst(bytes.count - limit)
        }
    }

    /// True when bytes were dropped from the head.
    package var truncated: Bool { total > limit }

    /// The kept tail, at most `limit` bytes.
    package var tail: [UInt8] { bytes.count > limit ? Array(bytes.suffix(limit)) : bytes }
}
