/// "Did you mean" suggestions for misspelt names.
public enum Suggestion {
    /// Words or candidates longer than this are never compared: the distance is O(n*m), and a
    /// name that long is no typo of a short one.
    public static let maxLength = 64

    /// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
    public static func closest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
        guard word.count <= maxLength else { return nil }
        let limit = max(1, word.count / 3)
        var best: (String, Int)?
        for c in candidates.sorted() where c.count <= maxLength {
            let d = distance(word.lowercased(), c.lowercased())
            if d <= limit, d < (best?.1 ?? .max) { best = (c, d) }
        }
        return best?.0
    }

    /// Levenshtein distance between two strings.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
