import Foundation
import NightShiftCore
@testable import NightShiftScripting
import XCTest

/// Structure rules a compiler does not check: exit statuses come from `ExitStatus` only, no
/// comment points at an issue tracker the repository does not hold, and no source file grows
/// past what a newcomer can walk.
final class SourceHygieneTests: XCTestCase {
    /// Every file below `folders` with one of `extensions`, with its text.
    private func files(_ folders: [String], _ extensions: [String]) -> [(path: String, text: String)] {
        var out: [(String, String)] = []
        for folder in folders {
            let base = DesignDocTests.root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where extensions.contains(url.pathExtension) {
                guard url.path != "\(#filePath)", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                out.append((String(url.path.dropFirst(DesignDocTests.root.path.count + 1)), text))
            }
        }
        return out
    }

    /// Lines of `files` that match `pattern`, as `path:line: text`.
    private func matches(_ pattern: String, in files: [(path: String, text: String)]) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        var found: [String] = []
        for file in files {
            for (i, line) in file.text.components(separatedBy: "\n").enumerated() {
                let range = NSRange(line.startIndex..., in: line)
                if regex.firstMatch(in: line, range: range) != nil { found.append("\(file.path):\(i + 1): \(line)") }
            }
        }
        return found
    }

    func testExitStatusesAreNamedNotWritten() throws {
        // The build tool that embeds the Lua files is no nightshift command: it is left out.
        let sources = files(["Sources/nightshift", "Sources/NightShiftScripting", "Sources/NightShiftCore"], ["swift"])
        XCTAssertGreaterThan(sources.count, 20)
        let literal = #"(ExitCode|toolExit|[^.a-zA-Z]exit)\(\s*-?[0-9]"#
        XCTAssertEqual(try matches(literal, in: sources), [], "use ExitStatus")
    }

    /// The Lua side names the statuses too: the cycle's result code is `core.exit_status`'s.
    func testTheLuaSideHasExitStatusesFromSwift() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        for status in ExitStatus.allCases {
            let r = try rt.executeWithCore("return core.exit_status[\"\(status)\"]")
            XCTAssertEqual(r.first?.integerValue, Int64(status.code), "\(status)")
        }
        let cycle = try String(contentsOf: DesignDocTests.root.appendingPathComponent(
            "Sources/NightShiftScripting/Lua/nightshift/cycle.lua"), encoding: .utf8)
        XCTAssertEqual(try matches(#"code\s*(=|==)\s*[0-9]"#, in: [("cycle.lua", cycle)]), [])
    }

    /// A checkout on a case-insensitive file system (macOS, Windows) must not merge two
    /// folders: `Tests/` and a `tests/` twin did, so no two paths may differ in case only.
    func testNoTwoPathsDifferOnlyInCase() throws {
        var seen: [String: String] = [:]
        var clashes: [String] = []
        let root = DesignDocTests.root
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        XCTAssertNotNil(walker)
        var count = 0
        while let url = walker?.nextObject() as? URL {
            let path = String(url.path.dropFirst(root.path.count + 1))
            if path.hasPrefix(".build") || path.hasPrefix(".git") || path.hasPrefix(".swiftpm") {
                walker?.skipDescendants()
                continue
            }
            count += 1
            if let other = seen[path.lowercased()], other != path { clashes.append("\(other) <-> \(path)") }
            seen[path.lowercased()] = path
        }
        XCTAssertGreaterThan(count, 100)
        XCTAssertEqual(clashes, [], "paths that one case-insensitive file system would merge")
    }

    /// No Lua or Swift file under Sources/ is over 450 lines: a longer one is split by
    /// responsibility (dsl.lua became the words, checks, schema and validate). The LuaLS stub
    /// (`Sources/nightshift/Stub/nightshift.d.lua`, linked as `docs/nightshift.d.lua`) is left
    /// out: it is documentation, one annotated entry per primitive, not code.
    func testNoSourceFileIsOver450Lines() throws {
        let limit = 450
        let documentation: Set = ["Sources/nightshift/Stub/nightshift.d.lua"]
        let sources = files(["Sources"], ["swift", "lua"])
        XCTAssertGreaterThan(sources.count, 100)
        XCTAssertTrue(sources.contains { documentation.contains($0.path) }, "the stub moved: update this test")
        let long = sources.filter { !documentation.contains($0.path) }.compactMap { file -> String? in
            let lines = file.text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            return lines > limit ? "\(file.path): \(lines) lines" : nil
        }
        XCTAssertEqual(long.sorted(), [], "split these by responsibility (at most \(limit) lines)")
    }

    func testNoCommentCitesAnIssueNumber() throws {
        let all = files(["Sources", "Tests", "scripts", "fuzz"], ["swift", "lua", "sh", "c", "h", "py", ""])
        XCTAssertGreaterThan(all.count, 50)
        // "(#10)", "#10:" or "issue 10" in a comment or docstring; "argument #2" is Lua's own wording.
        let citation = #"(//|--|#|\"\"\").*(\(#[0-9]+\)|(^|\s)#[0-9]+:|[Ii]ssue #?[0-9]+)"#
        XCTAssertEqual(try matches(citation, in: all), [], "comments say why, not which ticket")
    }
}
