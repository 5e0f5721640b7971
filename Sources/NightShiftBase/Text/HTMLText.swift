/// Escaping for text placed in the status page: everything from a log, a tool or a host
/// goes through here, so a reason carrying markup shows as text and runs nothing.
package enum HTMLText {
    /// `text` safe inside an element or a double-quoted attribute.
    ///
    /// Control characters other than tab and newline become U+FFFD: a tool's raw terminal
    /// output must not reach the page's reader as invisible bytes.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// At most `limit` characters of `text`, with an ellipsis when cut (a runaway tool line
    /// must not make the page huge).
    package static func clip(_ text: String, _ limit: Int = 500) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "\u{2026}"
    }
}
