/// "Did you mean" suggestions for misspelt names.
public enum Suggestion {
    /// Words or candidates longer than this are never compared: the distance is O(n*m), and a
    /// name that long is no typo of a short one.
    public static let maxLength = 64
    /// Shorter words get no suggestion: every two-letter name is one edit from many others.
    public static let minLength = 3

    /// The most edits a likely typo of `word` has: one per three letters, at least one.
    public static func limit(for word: String) -> Int { max(1, word.count / 3) }

    /// The candidate closest to `word` by edit distance, if it is close enough to be a likely
    /// typo (the first by name among equally close ones). The one did-you-mean: option names
    /// here, and through `core.suggest` the DSL's keys, hosts, events and strict globals.
    public static func closest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
        guard word.count >= minLength, word.count <= maxLength else { return nil }
        let limit = limit(for: word)
        var best: (String, Int)?
        for c in candidates.sorted() where c.count <= maxLength {
            let d = distance(word.lowercased(), c.lowercased())
            if d <= limit, d < (best?.1 ?? .max) { best = (c, d) }
        }
        return best?.0
    }

    /// Edit distance with transpositions (optimal string alignment): "chekc" is one edit from
    /// "check", as a typist sees it.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { cur[j] = min(cur[j], before[j - 2] + 1) }
            }
            (before, prev, cur) = (prev, cur, before)
        }
        return prev[b.count]
    }
}
