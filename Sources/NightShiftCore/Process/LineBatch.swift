/// The lines one read of a child's stream completed: one byte buffer plus line ranges.
///
/// Ranges into a shared buffer rather than an array of slices: a child printing
/// 30 million short lines would otherwise cost 30 million retain/release pairs.
/// Iterating still yields each line as an `ArraySlice<UInt8>` (no `\n`, no final `\r`).
public struct LineBatch: RandomAccessCollection, Sendable {
    /// The bytes the ranges point into.
    public let storage: [UInt8]
    /// Each line's byte range within `storage`, in order.
    public let ranges: [Range<Int>]

    /// Makes a batch from a buffer and the ranges of its lines.
    public init(storage: [UInt8], ranges: [Range<Int>]) {
        self.storage = storage
        self.ranges = ranges
    }

    /// The first line's index (0).
    public var startIndex: Int { 0 }
    /// One past the last line's index.
    public var endIndex: Int { ranges.count }
    /// The line at `index`.
    public subscript(index: Int) -> ArraySlice<UInt8> { storage[ranges[index]] }

    /// Total bytes in all lines, terminators excluded.
    public var byteCount: Int { ranges.reduce(0) { $0 + $1.count } }
}
