import Glibc

/// Reads the lines of an append-only file in bounded chunks, forwards from a byte offset or
/// backwards from its end, so that a reader pays for what it uses rather than for the file's age
/// (a cycle costs the same in year five as on day one).
///
/// Hand-written over pread(2): FileHandle reads whole files or follows symlinks, and no
/// package in use reads a file backwards.
struct HistoryLines {
    /// Bytes read per pread; a line longer than this is still read whole.
    static let chunk = 64 * 1024

    /// The open file (O_NOFOLLOW, regular), closed by ``close()``.
    let fd: Int32
    /// The path, for messages.
    let path: String
    /// The file's size when it was opened; later appends are not read.
    let size: Int
    /// Device and inode: which file this is, whatever its size.
    let identity: [Int]

    /// Opens `path` for reading; nil when it does not exist. A symlink or non-regular file is refused.
    static func open(_ path: String) throws -> HistoryLines? {
        let fd: Int32
        do {
            fd = try SafeOpen.open(path, O_RDONLY, purpose: "read")
        } catch {
            if error.errno == ENOENT { return nil }
            throw StateError(message: error.message)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            Glibc.close(fd)
            throw StateError.system("cannot stat \(path)")
        }
        return HistoryLines(fd: fd, path: path, size: Int(info.st_size), identity: identity(info))
    }

    /// Device and inode of `info`.
    static func identity(_ info: stat) -> [Int] { [Int(info.st_dev), Int(info.st_ino)] }

    /// Closes the file.
    func close() { Glibc.close(fd) }

    /// Calls `body` with each complete line (without its newline) from byte `offset` on, in file
    /// order, until it returns false. Returns the offset just past the last complete line read:
    /// a last line not yet ended by a newline (a writer mid-append, or one a kill tore) is left
    /// for a later read, which finds it ended by the next append.
    @discardableResult
    func forward(from offset: Int = 0, _ body: (ArraySlice<UInt8>) throws -> Bool) throws -> Int {
        var consumed = max(0, offset)
        var pending: [UInt8] = []
        var position = consumed
        while position < size {
            let bytes = try read(at: position, count: min(Self.chunk, size - position))
            position += bytes.count
            pending.append(contentsOf: bytes)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[start..<newline]
                consumed += line.count + 1
                start = newline + 1
                if !line.isEmpty, try !body(line) { return consumed }
            }
            pending.removeSubrange(pending.startIndex..<start)
        }
        return consumed
    }

    /// Calls `body` with each line (without its newline) from the end of the file towards its
    /// start, until it returns false. Memory stays within a chunk plus the longest line.
    func backward(_ body: (ArraySlice<UInt8>) throws -> Bool) throws {
        var end = size
        // Bytes after the last newline seen so far (the start of a line split across chunks).
        var carry: [UInt8] = []
        while end > 0 {
            let start = max(0, end - Self.chunk)
            var bytes = try read(at: start, count: end - start)
            bytes.append(contentsOf: carry)
            end = start
            var lineEnd = bytes.endIndex
            while let newline = bytes[..<lineEnd].lastIndex(of: UInt8(ascii: "\n")) {
                let line = bytes[(newline + 1)..<lineEnd]
                if !line.isEmpty, try !body(line) { return }
                lineEnd = newline
            }
            carry = Array(bytes[..<lineEnd])
        }
        if !carry.isEmpty { _ = try body(carry[...]) }
    }

    /// Exactly `count` bytes at `offset` (fewer only if the file shrank under us).
    private func read(at offset: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Syscall.retryingInterrupts { pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done)) }
            }
            if n < 0 { throw StateError.system("cannot read \(path)") }
            if n == 0 { break }
            done += n
        }
        return done == count ? bytes : Array(bytes[..<done])
    }
}
