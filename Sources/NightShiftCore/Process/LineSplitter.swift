#if canImport(Glibc)
import Glibc
#endif

/// Cuts one stream's chunks into lines, holding back an unfinished last line.
///
/// Memory stays bounded by `maxLength`: a line that grows past it is handed
/// out in `maxLength` pieces, so a child that never prints `\n` cannot make
/// us buffer its whole output.
struct LineSplitter {
    let maxLength: Int
    private var pending: [UInt8] = []

    init(maxLength: Int) {
        self.maxLength = max(1, maxLength)
    }

    /// The complete lines `chunk` finishes, in order; the tail waits for the next chunk.
    mutating func split(_ chunk: [UInt8]) -> LineBatch {
        // One buffer: the held-back partial line followed by the new chunk.
        let storage = pending.isEmpty ? chunk : pending + chunk
        var ranges: [Range<Int>] = []
        var start = 0
        storage.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            // memchr rather than firstIndex(of:): it is vectorised, and this loop
            // sees every byte of a possibly multi-gigabyte output.
            while start < raw.count, let hit = memchr(base + start, 0x0A, raw.count - start) {
                let newline = base.distance(to: UnsafeRawPointer(hit))
                var end = newline
                if end > start, raw[end - 1] == 0x0D { end -= 1 }
                appendPieces(start..<end, to: &ranges)
                start = newline + 1
            }
        }
        var rest = start..<storage.count
        if rest.count >= maxLength {
            let whole = rest.count / maxLength * maxLength
            appendPieces(rest.lowerBound..<(rest.lowerBound + whole), to: &ranges)
            rest = (rest.lowerBound + whole)..<rest.upperBound
        }
        pending = Array(storage[rest])
        return LineBatch(storage: storage, ranges: ranges)
    }

    /// The unfinished last line, if the stream ended without a final `\n`.
    mutating func finish() -> LineBatch {
        var storage = pending
        pending = []
        if storage.last == 0x0D { storage.removeLast() }
        var ranges: [Range<Int>] = []
        if !storage.isEmpty { appendPieces(0..<storage.count, to: &ranges) }
        return LineBatch(storage: storage, ranges: ranges)
    }

    private func appendPieces(_ line: Range<Int>, to ranges: inout [Range<Int>]) {
        guard line.count > maxLength else {
            ranges.append(line)
            return
        }
        var index = line.lowerBound
        while index < line.upperBound {
            let end = min(index + maxLength, line.upperBound)
            ranges.append(index..<end)
            index = end
        }
    }
}
