import Foundation
import XCTest

/// Keeps the code's citations of docs/design.md honest: every "invariant N" in Sources/,
/// Tests/ and scripts/ names an invariant the design document lists, and no file cites a
/// design document the project does not hold.
final class DesignDocTests: XCTestCase {
    /// The project's root, found relative to this file.
    static let root = URL(fileURLWithPath: "\(#filePath)")
        .deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    /// The numbers of the items under docs/design.md's "## Invariants" heading.
    func listedInvariants() throws -> Set<Int> {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/design.md"), encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "\n## Invariants\n"), "docs/design.md has no \"## Invariants\" section")
        let section = text[start.upperBound...].components(separatedBy: "\n## ").first ?? ""
        return Set(section.components(separatedBy: "\n").compactMap { line in
            guard let dot = line.firstIndex(of: "."), line.first?.isNumber == true else { return nil }
            return Int(line[..<dot])
        })
    }

    /// Every source, test and script file with the text it holds, this one left out (it quotes what it looks for).
    func projectFiles() -> [(path: String, text: String)] {
        var files: [(String, String)] = []
        for folder in ["Sources", "Tests", "scripts"] {
            let base = Self.root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where ["swift", "lua", "sh", ""].contains(url.pathExtension) {
                guard url.path != "\(#filePath)", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                files.append((String(url.path.dropFirst(Self.root.path.count + 1)), text))
            }
        }
        return files
    }

    func testEveryCitedInvariantIsListed() throws {
        let listed = try listedInvariants()
        XCTAssertEqual(listed.sorted(), Array(1...max(1, listed.count)), "the invariants are numbered 1...N without gaps")
        // A whole citation ("invariant 4", "invariants 1, 2 and 5"); its numbers are read from the match.
        let citation = try NSRegularExpression(pattern: "[Ii]nvariants? [0-9]+(?:(?:,| and|, and) [0-9]+)*")
        let number = try NSRegularExpression(pattern: "[0-9]+")
        var cited = 0
        for (path, text) in projectFiles() {
            let ns = text as NSString
            for match in citation.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                for digits in number.matches(in: text, range: match.range) {
                    let invariant = Int(ns.substring(with: digits.range))!
                    cited += 1
                    XCTAssertTrue(listed.contains(invariant), "\(path) cites invariant \(invariant), which docs/design.md does not list")
                }
            }
        }
        XCTAssertGreaterThan(cited, 10, "the code cites the invariants; none found means the scan is broken")
    }

    /// The contract's DESIGN.md lives outside the project; code points at the project's own documents.
    func testNoFileCitesADesignDocumentTheProjectLacks() {
        for (path, text) in projectFiles() {
            XCTAssertFalse(text.contains("DESIGN.md"), "\(path) cites DESIGN.md; cite docs/design.md or docs/lua-api.md")
        }
    }
}
