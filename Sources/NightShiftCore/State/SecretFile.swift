import Glibc

/// A secret read from a file only its owner may read (an API key): a file that group or
/// others can read, a symlink or anything but a regular file is refused, naming the path.
public enum SecretFile {
    /// The file's first line, without surrounding blanks; throws when the file is unsafe or empty.
    public static func read(_ path: String) throws -> String {
        let fd: Int32
        do { fd = try SafeOpen.open(path, O_RDONLY, purpose: "read") } catch { throw StateError(message: error.message) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StateError.system("cannot examine \(path)") }
        guard info.st_mode & 0o077 == 0 else {
            throw StateError(message: "\(path) is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))): chmod 600 it")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // A key is short: more than 64 kB is not a key file.
        while bytes.count <= 65536 {
            let n = chunk.withUnsafeMutableBytes { buffer in Syscall.retryingInterrupts { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            if n < 0 { throw StateError.system("cannot read \(path)") }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let key = line.trimmed(of: " \t\r")
        guard !key.isEmpty else { throw StateError(message: "\(path) holds no key") }
        return key
    }
}

private extension String {
    func trimmed(of set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
