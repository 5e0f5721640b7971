/// Who is logged in, from the text of `loginctl list-sessions --no-legend` or of `who`: the
/// user of each session, one entry per session (a user with two sessions is named twice).
public enum LoginList {
    /// `loginctl list-sessions --no-legend`: SESSION UID USER ... per line; the third word.
    public static func users(loginctl text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            return words.count >= 3 ? String(words[2]) : nil
        }
    }

    /// `who`: USER LINE TIME [(FROM)] per line; the first word of a line that starts with one.
    public static func users(who text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard let first = line.first, !first.isWhitespace else { return nil }
            return line.split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
    }
}
