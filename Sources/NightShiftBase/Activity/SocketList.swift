/// Connections listed by `ss -H` (no header): one per line that is not blank.
public enum SocketList {
    /// How many connections `ss -H ...` printed.
    public static func count(ss text: String) -> Int {
        text.split(separator: "\n").filter { $0.contains { !$0.isWhitespace } }.count
    }
}
