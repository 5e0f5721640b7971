/// Renders an argv as one unambiguous, shell-quoted line, for logs and dry runs only.
///
/// Never used to build a command: `ProcessRunner` passes argv elements as they are.
public enum ShellQuote {
    /// `["rm", "-rf", "my dir"]` -> `rm -rf 'my dir'`.
    public static func display(_ argv: [String]) -> String {
        argv.enumerated().map { index, word in
            // A bare `NAME=value` first word would read as an assignment.
            index == 0 && word.contains("=") ? "'" + word.replacingAll("'", with: "'\\''") + "'" : quote(word)
        }.joined(separator: " ")
    }

    /// One word: bare when it holds only safe characters, else in single quotes,
    /// or `$'...'` with escapes when it holds control characters.
    public static func quote(_ word: String) -> String {
        if word.isEmpty { return "''" }
        if word.unicodeScalars.allSatisfy(isSafe) { return word }
        if word.unicodeScalars.contains(where: isControl) {
            var text = "$'"
            for scalar in word.unicodeScalars {
                switch scalar {
                case "\n": text += "\\n"
                case "\t": text += "\\t"
                case "\r": text += "\\r"
                case "\\": text += "\\\\"
                case "'": text += "\\'"
                case _ where isControl(scalar):
                    let hex = String(scalar.value, radix: 16)
                    text += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                default: text.unicodeScalars.append(scalar)
                }
            }
            return text + "'"
        }
        return "'" + word.replacingAll("'", with: "'\\''") + "'"
    }

    private static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        case "-", "_", ".", "/", ":", ",", "+", "=", "@", "%": return true
        default: return false
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
