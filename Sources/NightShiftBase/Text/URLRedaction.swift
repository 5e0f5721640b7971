/// The one way a URL is shown to people: without the credentials it may carry.
///
/// A notification URL is often its own password: ntfy's `user:password@`, a Healthchecks
/// check's UUID or ping key in the path, a webhook's token in the path or the query. Every
/// place that shows a URL (the log, the failure report, a `/fail` body, `check`) passes it
/// through here. Hand-written: Foundation's URL drops what it cannot parse, and a shown
/// URL must be redacted even when it is malformed.
public enum URLRedaction {
    /// What stands in for a removed secret.
    public static let mask = "***"

    /// `url` with its userinfo, query and fragment replaced by the mask, and every path
    /// segment that may be a secret (anything but a short plain word) masked too:
    /// `https://u:p@ntfy.sh/backups?auth=x` reads `https://***@ntfy.sh/backups?***`.
    public static func redact(_ url: String) -> String {
        var rest = Substring(url)
        var out = ""
        if let range = rest.range(of: "://") {
            out = String(rest[..<range.upperBound])
            rest = rest[range.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                out += mask + "@" + authority[authority.index(after: at)...]
            } else {
                out += authority
            }
            rest = rest[authorityEnd...]
        }
        let pathEnd = rest.firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        let segments = rest[..<pathEnd].split(separator: "/", omittingEmptySubsequences: false)
        out += segments.map { isPlainWord($0) || $0.isEmpty ? String($0) : mask }.joined(separator: "/")
        if pathEnd < rest.endIndex { out += String(rest[pathEnd]) + mask }
        return out
    }

    /// `text` with every http:// or https:// URL in it redacted (`redact`): for text that
    /// may quote a URL anywhere, such as a log line a site script wrote.
    public static func redactURLs(in text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = nextURL(in: rest) {
            out += rest[..<start]
            let tail = rest[start...]
            let end = tail.firstIndex { $0.isWhitespace || "\"'<>`\\".contains($0) } ?? tail.endIndex
            out += redact(String(tail[..<end]))
            rest = tail[end...]
        }
        return out + rest
    }

    private static func nextURL(in text: Substring) -> Substring.Index? {
        var search = text[...]
        while let range = search.range(of: "://") {
            // Walk back over the scheme's letters.
            var start = range.lowerBound
            while start > text.startIndex, text[text.index(before: start)].isLetter {
                start = text.index(before: start)
            }
            let scheme = text[start ..< range.lowerBound].lowercased()
            if scheme.hasSuffix("http") || scheme.hasSuffix("https") {
                return text.index(range.lowerBound, offsetBy: -(scheme.hasSuffix("https") ? 5 : 4))
            }
            search = text[range.upperBound...]
        }
        return nil
    }

    /// A path segment shown as it is: a short word without digits (`ping`, `fail`,
    /// `backups`, `api`) or a version (`v1`); tokens, UUIDs and keys always hold digits
    /// or are long, so they are masked.
    private static func isPlainWord(_ segment: Substring) -> Bool {
        if segment.count <= 3, segment.first == "v", segment.dropFirst().allSatisfy(\.isASCIIDigitLike), segment.count > 1 {
            return true
        }
        return segment.count <= 20 && segment.allSatisfy { ($0.isASCII && $0.isLetter) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}

private extension Character {
    var isASCIIDigitLike: Bool { isASCII && isNumber }
}
