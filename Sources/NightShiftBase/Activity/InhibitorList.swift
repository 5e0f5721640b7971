/// The systemd inhibitor locks that block an operation, from the text of
/// `systemd-inhibit --list --no-legend` (WHO UID USER PID COMM WHAT WHY MODE per line).
public enum InhibitorList {
    /// The first word of WHO of each lock whose mode is `block` and whose WHAT (a
    /// colon-separated list such as `sleep:shutdown`) names `operation` ("sleep", "shutdown").
    /// WHY is free text, so WHAT is found as any word holding `operation` between colons.
    public static func blockers(of operation: String, in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            guard let who = words.first, words.last == "block",
                  words.contains(where: { $0.split(separator: ":").contains { $0 == operation } }) else { return nil }
            return String(who)
        }
    }
}
