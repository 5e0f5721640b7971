import Foundation
import LuaBinding
import XCTest

final class SuggestionTests: XCTestCase {
    func testSuggestsCloseNames() {
        XCTAssertEqual(Suggestion.closest(to: "timout", in: ["timeout", "retries"]), "timeout")
        XCTAssertNil(Suggestion.closest(to: "xyz", in: ["timeout"]))
    }

    func testLongWordsAndCandidatesAreNeverCompared() {
        // 200k x 200k characters would take hours with the O(n*m) distance.
        let long = String(repeating: "a", count: 200_000)
        let started = Date()
        XCTAssertNil(Suggestion.closest(to: long, in: [long, "timeout"]))
        XCTAssertNil(Suggestion.closest(to: "timeout" + String(repeating: "x", count: 60), in: [long]))
        XCTAssertEqual(Suggestion.closest(to: "timout", in: [long, "timeout"]), "timeout")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }
}

/// The one did-you-mean's rule, table by table: the threshold, the lengths, transpositions.
final class SuggestionRuleTests: XCTestCase {
    func testTheRule() {
        let cases: [(word: String, candidates: [String], expected: String?)] = [
            ("stdni", ["stdin", "stdout"], "stdin"),          // a transposition is one edit
            ("chekc_every", ["check_every"], "check_every"),
            ("hots", ["host", "job"], "host"),
            ("nz", ["ns", "os", "io"], nil),                  // two letters: no guess
            ("tmieout", ["timeout"], "timeout"),              // 7 letters: up to 2 edits
            ("tyyeoyt", ["timeout"], nil),                    // 3 edits is no typo
            ("Timeout", ["timeout"], "timeout"),              // case does not count
            ("aab", ["abb", "aaa"], "aaa"),                   // a tie: the first by name
        ]
        for c in cases {
            XCTAssertEqual(Suggestion.closest(to: c.word, in: c.candidates), c.expected, c.word)
        }
        XCTAssertEqual(Suggestion.limit(for: "abc"), 1)
        XCTAssertEqual(Suggestion.limit(for: "abcdefghi"), 3)
        XCTAssertEqual(Suggestion.distance("ab", "ba"), 1)
        XCTAssertEqual(Suggestion.distance("kitten", "sitting"), 3)
    }
}
