import Glibc

extension ZoneRules {
    /// This machine's zone, read once: `TZ` as the C library reads it (a zone name under
    /// `TZDIR` or `/usr/share/zoneinfo`, `:name`, an absolute file, or a POSIX rule), else
    /// `/etc/localtime`; UTC when there is none. A file that cannot be read gives UTC and one
    /// warning on stderr: a wrong hour in the log is better than no backup.
    public static let local: ZoneRules = {
        let (zone, warning) = load(tz: environment("TZ"))
        if let warning {
            var line = Array("nightshift: warning: \(warning); using UTC\n".utf8)
            _ = write(STDERR_FILENO, &line, line.count)
        }
        return zone
    }()

    /// The zone named `name` (`Europe/Berlin`) from the zoneinfo directory.
    public static func named(_ name: String) throws(TZifError) -> ZoneRules {
        let path = zoneDirectory + "/" + name
        guard let bytes = readFile(path) else { throw TZifError("\(path): no such time zone file") }
        do throws(TZifError) { return ZoneRules(identifier: name, tzif: try TZif(bytes: bytes)) } catch {
            throw TZifError("\(path): \(error.message)")
        }
    }

    /// The zone `TZ` describes (nil: unset), and a warning when a zone file was unusable.
    static func load(tz: String?) -> (ZoneRules, String?) {
        guard var tz else { return file("/etc/localtime", identifier: systemIdentifier(), missingIsUTC: true) }
        if tz.isEmpty { return (.utc, nil) }
        if tz.hasPrefix(":") { tz.removeFirst() }
        if tz.hasPrefix("/") { return file(tz, identifier: name(inZoneDirectory: tz) ?? tz, missingIsUTC: false) }
        if !tz.contains(".."), let bytes = readFile(zoneDirectory + "/" + tz) {
            do throws(TZifError) { return (ZoneRules(identifier: tz, tzif: try TZif(bytes: bytes)), nil) } catch {
                return (.utc, "\(zoneDirectory)/\(tz): \(error.message)")
            }
        }
        if let rule = ZoneRules(posixRule: tz) { return (rule, nil) }
        return (.utc, "TZ=\"\(tz)\" is neither a time zone name nor a POSIX TZ rule")
    }

    private static func file(_ path: String, identifier: String, missingIsUTC: Bool) -> (ZoneRules, String?) {
        guard let bytes = readFile(path) else {
            return (.utc, missingIsUTC ? nil : "\(path): no such time zone file")
        }
        do throws(TZifError) { return (ZoneRules(identifier: identifier, tzif: try TZif(bytes: bytes)), nil) } catch {
            return (.utc, "\(path): \(error.message)")
        }
    }

    /// Where zone files live: `TZDIR`, else the system's.
    static var zoneDirectory: String { environment("TZDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo" }

    /// The name of the system zone: the target of the `/etc/localtime` link under a zoneinfo
    /// directory, else Debian's `/etc/timezone`, else `UTC`.
    private static func systemIdentifier() -> String {
        var buffer = [CChar](repeating: 0, count: 4_096)
        let n = readlink("/etc/localtime", &buffer, buffer.count - 1)
        if n > 0, let name = name(inZoneDirectory: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)) {
            return name
        }
        if let bytes = readFile("/etc/timezone") {
            let text = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).first.map(String.init)
            if let text, !text.isEmpty { return text }
        }
        return "UTC"
    }

    /// `Europe/Berlin` of `/usr/share/zoneinfo/Europe/Berlin` (or `../usr/share/zoneinfo/...`).
    private static func name(inZoneDirectory path: String) -> String? {
        guard let range = path.firstRange(of: "zoneinfo/") else { return nil }
        var name = String(path[range.upperBound...])
        for prefix in ["posix/", "right/"] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        return name.isEmpty ? nil : name
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The whole file, nil when it cannot be opened or is not a plausible zone file (over 1 MiB).
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            // Syscall.retryingInterrupts lives in NightShiftCore, above this pure target.
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            guard bytes.count <= 1 << 20 else { return nil }
        }
    }
}
