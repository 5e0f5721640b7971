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
    mutating func split(_ chunk: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = chunk.startIndex
        chunk.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            // memchr rather than firstIndex(of:): it is vectorised, and this loop
            // sees every byte of a possibly multi-gigabyte output.
            while start < chunk.endIndex,
                  let hit = memchr(base + start, 0x0A, chunk.endIndex - start) {
                let newline = base.distance(to: UnsafeRawPointer(hit))
                var line = chunk[start..<newline]
                if !pending.isEmpty {
                    pending.append(contentsOf: line)
                    line = pending[...]
                    pending = []
                }
                if line.last == 0x0D { line = line.dropLast() }
                appendPieces(of: line, to: &lines)
                start = newline + 1
            }
        }
        if start < chunk.endIndex {
            pending.append(contentsOf: chunk[start...])
            if pending.count >= maxLength {
                let whole = pending.count / maxLength * maxLength
                appendPieces(of: pending[..<whole], to: &lines)
                pending = Array(pending[whole...])
            }
        }
        return lines
    }

    /// The unfinished last line, if the stream ended without a final `\n`.
    mutating func finish() -> [ArraySlice<UInt8>] {
        guard !pending.isEmpty else { return [] }
        var lines: [ArraySlice<UInt8>] = []
        var last = pending[...]
        if last.last == 0x0D { last = last.dropLast() }
        appendPieces(of: last, to: &lines)
        pending = []
        return lines
    }

    private func appendPieces(of line: ArraySlice<UInt8>, to lines: inout [ArraySlice<UInt8>]) {
        guard line.count > maxLength else {
            lines.append(line)
            return
        }
        var index = line.startIndex
        while index < line.endIndex {
            let end = min(index + maxLength, line.endIndex)
            lines.append(line[index..<end])
            index = end
        }
    }
}
