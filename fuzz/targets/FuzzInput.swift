// Shared by every fuzz target: a cursor over libFuzzer's bytes.

/// Reads typed values off the fuzzer's input, returning zeros once it is used up.
struct FuzzInput {
    let bytes: [UInt8]
    var index = 0

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    var isEmpty: Bool { index >= bytes.count }

    /// The whole input as text (invalid UTF-8 repaired, as Lua strings reach Swift).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func uint64() -> UInt64 {
        var v: UInt64 = 0
        for _ in 0..<8 { v = v << 8 | UInt64(byte()) }
        return v
    }

    /// Any double, NaN and infinities included.
    mutating func double() -> Double { Double(bitPattern: uint64()) }

    /// A string of up to `max` bytes taken from the input.
    mutating func string(max: Int = 32) -> String {
        let n = min(Int(byte()) % (max + 1), bytes.count - min(index, bytes.count))
        defer { index += n }
        return String(decoding: bytes[index..<(index + n)], as: UTF8.self)
    }
}
