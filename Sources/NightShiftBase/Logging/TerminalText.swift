/// Text for a terminal outside the log: the command-line tools print values from scripts and
/// state files (host names, paths, error messages), and a control character among them must
/// neither break a line nor reach the terminal as an escape sequence.
public enum TerminalText {
    /// `text` with every control character but TAB and the line breaks escaped, as the log does.
    public static func safe(_ text: String) -> String {
        ControlEscaping.lines(text).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    }
}
