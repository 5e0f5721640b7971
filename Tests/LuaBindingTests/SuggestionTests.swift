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
