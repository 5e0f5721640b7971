import XCTest
@testable import NightShiftCore

final class ShellQuoteTests: XCTestCase {
    func testPlainWordsStayBare() {
        XCTAssertEqual(ShellQuote.display(["rsync", "-a", "--delete", "/srv/data/", "backup@10.0.0.2:/x"]),
                       "rsync -a --delete /srv/data/ backup@10.0.0.2:/x")
    }

    func testSpecialWordsAreQuoted() {
        XCTAssertEqual(ShellQuote.display(["echo", "a b", "", "it's", "$HOME", "a;b"]),
                       #"echo 'a b' '' 'it'\''s' '$HOME' 'a;b'"#)
    }

    func testControlCharactersUseDollarQuotes() {
        XCTAssertEqual(ShellQuote.quote("line1\nline2\t\u{1}'"), #"$'line1\nline2\t\x01\''"#)
    }

    func testFirstWordWithEqualsIsQuoted() {
        XCTAssertEqual(ShellQuote.display(["A=1", "B=2"]), "'A=1' B=2")
    }

    /// `$'...'` is POSIX.1-2024 and bash; Debian's dash lacks it, so bash parses here.
    func testQuotedFormRoundTripsThroughBash() async throws {
        let words = ["a b", "it's", "$HOME", "`id`", "x\ny", "tab\there", "*", "~", "=", "back\\slash"]
        let result = try await ProcessRunner.run(ExecRequest(.argv(["bash", "-c", "printf '%s\\0' " + ShellQuote.display(words)])))
        let parsed = result.stdout.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(parsed, words)
    }
}
