import Foundation

extension SambaStatus {
    /// Reads the tables of plain `smbstatus` (Samba before 4.16, or built without JSON
    /// support): the session rows (user, machine, dialect) and the locked files (their full
    /// paths, `?` where a row cannot be split). A table's rows are the lines after a line of
    /// dashes, up to the next blank line; share rows are not read (nothing asks for them).
    /// Hand-written: the tables are fixed-width text with no parser of their own anywhere.
    public static func parse(tables text: String) -> SambaStatus {
        var sessions: [Session] = []
        var files: [String] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("----") {
                inside = true
            } else if line.allSatisfy(\.isWhitespace) {
                inside = false
            } else if inside {
                let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
                // Rows start with the pid: session rows name a protocol, locked-file rows a deny mode.
                guard words.count >= 4, line.first?.isASCII == true, line.first?.isNumber == true,
                      words[0].allSatisfy({ $0.isASCII && $0.isNumber }) else { continue }
                if line.contains("DENY_") {
                    files.append(lockedFilePath(line) ?? "?")
                } else if line.contains("SMB") || line.contains("NT1") {
                    let dialect = words.first { $0.hasPrefix("SMB") || $0.hasPrefix("NT1") } ?? ""
                    sessions.append(Session(user: words[1], machine: words[3], dialect: dialect))
                }
            }
        }
        return SambaStatus(sessions: sessions, shares: [], openFiles: files)
    }

    // "... DENY_NONE  0x120089  RDONLY  LEASE(RWH)  /srv/share   report.odt   Mon Jan  1 10:00:05 2024":
    // Samba prints SharePath and Name three spaces apart, and either may hold spaces.
    private static let lockedRow = try! NSRegularExpression(
        pattern: #"DENY_\S+\s+\S+\s+\S+\s+\S+\s+(.*?)\s+[A-Za-z]{3} [A-Za-z]{3}\s+\d+ \d+:\d+:\d+ \d+\s*$"#)
    private static let pathAndName = try! NSRegularExpression(pattern: #"^(.*?)   +(.+)$"#)

    /// The full path of a locked-file row, or nil when it does not have that shape.
    package static func lockedFilePath(_ row: String) -> String? {
        func group(_ regex: NSRegularExpression, _ text: String, _ n: Int) -> String? {
            guard let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                  let r = Range(m.range(at: n), in: text) else { return nil }
            return String(text[r])
        }
        guard let rest = group(lockedRow, row, 1), let dir = group(pathAndName, rest, 1),
              let name = group(pathAndName, rest, 2) else { return nil }
        return (dir.hasSuffix("/") ? String(dir.dropLast()) : dir) + "/" + name
    }
}
