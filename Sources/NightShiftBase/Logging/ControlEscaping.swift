/// Makes log text safe for a terminal and a line-oriented file: C0 controls except TAB, DEL and
/// the C1 controls (U+0080-U+009F) become visible escapes (`\r`, `\x1b`, `\u009b`), so one log
/// line stays one line and no terminal escape from a child, a script or the network reaches the
/// console. A backslash itself is kept as it is: the escapes are for reading, not for decoding.
///
/// Hand-written: it works on the UTF-8 bytes the logger already holds, with a scan-only fast path
/// for the common clean line, and no library offers exactly this terminal-safe set.
package enum ControlEscaping {
    /// True when `bytes` hold something `escape` would change (or a C2 lead byte that might be a C1 control).
    package static func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var index = 0
        // Eight bytes at a time: this scan sees every byte a child prints (a 1 GB copy log is
        // 30 million lines), and a word without a candidate byte is skipped whole. The word
        // test may say yes for a clean word (a borrow); the byte loop then decides.
        while index + 8 <= bytes.count {
            if mayHoldEscapable(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                for i in index..<(index + 8) where isEscapable(base[i]) { return true }
            }
            index += 8
        }
        while index < bytes.count {
            if isEscapable(base[index]) { return true }
            index += 1
        }
        return false
    }

    /// Whether `escape` changes `byte` (0xC2 counts: it may start a C1 control).
    @inline(__always)
    package static func isEscapable(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F || byte == 0xC2
    }

    /// False only when none of the eight bytes of `word` is below 0x20, 0x7F or 0xC2.
    @inline(__always)
    package static func mayHoldEscapable(_ word: UInt64) -> Bool {
        // "Has a byte less than n" / "has a zero byte" from Bit Twiddling Hacks: exact about
        // whether such a byte exists (a borrow may only flag a byte above a real hit).
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let below20 = (word &- ones &* 0x20) & ~word & highs != 0
        return below20 || hasZero(word ^ (ones &* 0x7F)) || hasZero(word ^ (ones &* 0xC2))
    }

    /// Appends `bytes` to `out` with every control character escaped.
    package static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x09:
                out.append(byte)
            case 0x0D:
                out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: [0x5C, UInt8(ascii: "x"), hex(byte >> 4), hex(byte & 0xF)])
            case 0xC2 where index < bytes.count && (0x80...0x9F).contains(bytes[index]):
                // U+0080-U+009F in UTF-8; 0x9B alone is a CSI on some terminals.
                let code = bytes[index]
                index += 1
                out.append(contentsOf: Array("\\u00".utf8) + [hex(code >> 4), hex(code & 0xF)])
            default:
                out.append(byte)
            }
        }
    }

    /// `bytes` escaped, or unchanged when nothing needs it.
    package static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { buffer in
            guard needsEscaping(buffer) else { return bytes }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            append(buffer, to: &out)
            return out
        }
    }

    /// The lines of `message` (split at `\n`, a `\r` before it dropped), each escaped.
    package static func lines(_ message: String) -> [[UInt8]] {
        // Bytes, not Characters: Swift's "\r\n" is one Character and would hide the line break.
        Array(message.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            var bytes = Array(line)
            if bytes.last == 0x0D { bytes.removeLast() }
            return escaped(bytes)
        }
    }

    private static func hex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
