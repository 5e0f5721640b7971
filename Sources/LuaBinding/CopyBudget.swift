/// The bounds of one copy of a Lua value into Swift (docs/design.md, invariant 16): nesting
/// depth, the number of values and the bytes of their strings, counted as if every shared
/// table were copied out in full (that is what Swift code walking the copy would see), so
/// a small Lua table whose levels each hold the one below twice is refused, not copied
/// 2^depth times. A table met again is reused, never copied again.
struct CopyBudget {
    /// The values one copy may hold (keys and values each count).
    static let maxValues = 250_000
    /// The bytes of strings one copy may hold when the state has no memory cap.
    static let maxBytesUncapped = 64 << 20
    /// How many values are copied between two polls of the state's interruption check.
    static let pollEvery = 4096

    /// The most bytes of strings this copy may hold: never more than the state's memory cap.
    let maxBytes: Int
    /// The host's size formatter, for the refusal's text.
    let describeBytes: @Sendable (Int) -> String
    /// Polled while copying: true stops the copy (the time budget ran out, or a signal).
    let shouldStop: () -> Bool

    private(set) var values = 0
    private(set) var bytes = 0
    private var sincePoll = 0
    /// Tables already copied, by identity, with what their full copy counts.
    private var copied: [UnsafeRawPointer: (table: LuaTable, values: Int, bytes: Int)] = [:]

    init(memoryLimit: Int, describeBytes: @escaping @Sendable (Int) -> String = { "\($0) bytes" },
         shouldStop: @escaping () -> Bool) {
        self.describeBytes = describeBytes
        maxBytes = memoryLimit > 0 ? min(memoryLimit, CopyBudget.maxBytesUncapped) : CopyBudget.maxBytesUncapped
        self.shouldStop = shouldStop
    }

    /// Counts `count` values holding `byteCount` bytes; throws once past a bound.
    mutating func add(values count: Int, bytes byteCount: Int) throws {
        values += count
        bytes += byteCount
        if values > CopyBudget.maxValues {
            throw CopyRefusal("table too large: more than \(CopyBudget.maxValues) values")
        }
        if bytes > maxBytes {
            throw CopyRefusal("table too large: more than \(describeBytes(maxBytes)) of strings")
        }
        sincePoll += count
        if sincePoll >= CopyBudget.pollEvery {
            sincePoll = 0
            if shouldStop() { throw CopyRefusal("interrupted while copying a value", interrupted: true) }
        }
    }

    /// The earlier copy of the table at `id`, counted again as the copy now holds it twice.
    mutating func reuse(_ id: UnsafeRawPointer) throws -> LuaTable? {
        guard let earlier = copied[id] else { return nil }
        try add(values: earlier.values, bytes: earlier.bytes)
        return earlier.table
    }

    /// Keeps the copy of the table at `id`, which counted what the tally grew by since `mark`.
    mutating func remember(_ id: UnsafeRawPointer, _ table: LuaTable, since mark: (values: Int, bytes: Int)) {
        copied[id] = (table, values - mark.values, bytes - mark.bytes)
    }

    /// Where the tally stands now (for `remember`).
    var mark: (values: Int, bytes: Int) { (values, bytes) }
}

/// A value that may not cross into Swift: too deep, too large, cyclic, or its copy was
/// interrupted. Bindings report it as a bad argument: `bad argument #1 to 'exec' (table too deep: ...)`.
public struct CopyRefusal: Error, CustomStringConvertible {
    /// What is wrong, e.g. "table too deep: more than 200 levels".
    public let reason: String
    /// True when the copy stopped for the time budget or a signal rather than for the value.
    public let interrupted: Bool

    init(_ reason: String, interrupted: Bool = false) {
        self.reason = reason
        self.interrupted = interrupted
    }

    public var description: String { reason }
}
