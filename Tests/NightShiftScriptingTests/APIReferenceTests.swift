import Foundation
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// Keeps docs/lua-api.md honest: the module as built at runtime, the DSL schemas and their
/// defaults, the night object and the events must match what the reference documents.
final class APIReferenceTests: XCTestCase {
    /// docs/lua-api.md, found relative to this file.
    static let docPath = URL(fileURLWithPath: "\(#filePath)")
        .deletingLastPathComponent().appendingPathComponent("../../docs/lua-api.md").standardizedFileURL.path

    /// The reference's text.
    func docText() throws -> String {
        try String(contentsOfFile: Self.docPath, encoding: .utf8)
    }

    // MARK: Reading the markdown

    /// Every match of `pattern` (capture group `group`, or the whole match) in `text`.
    func matches(_ pattern: String, in text: String, group: Int = 0) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            let r = m.range(at: group)
            return r.location == NSNotFound ? nil : ns.substring(with: r)
        }
    }

    /// The text split into heading lines, prose outside fenced blocks, and fenced code.
    struct Parts {
        var headings: [String] = []
        var prose: [String] = []
        var fenced: [String] = []
    }

    func parts(_ doc: String) -> Parts {
        var p = Parts()
        var inFence = false
        for line in doc.components(separatedBy: "\n") {
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if inFence { p.fenced.append(line) } else if line.hasPrefix("#") { p.headings.append(line) } else { p.prose.append(line) }
        }
        return p
    }

    /// Inline code spans of `lines`.
    func codeSpans(_ lines: [String]) -> [String] {
        lines.flatMap { matches("`([^`]+)`", in: $0, group: 1) }
    }

    /// `ns.a.b` tokens in `text` (public ones: no `_`-prefixed component).
    func nsTokens(_ text: String) -> Set<String> {
        Set(matches(#"\bns(\.[A-Za-z_][A-Za-z0-9_]*)+"#, in: text).filter { !$0.contains("._") })
    }

    /// The lines of the level-2 section whose heading's first word is `word` (e.g. `settings`).
    func section(_ doc: String, word: String) -> [String]? {
        let lines = doc.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { line in
            guard line.hasPrefix("## ") else { return false }
            let title = line.dropFirst(3).replacingOccurrences(of: "`", with: "")
            return title.split(whereSeparator: { " (\"{".contains($0) }).first.map(String.init) == word
        }) else { return nil }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex(where: { $0.hasPrefix("## ") }) ?? lines.endIndex
        return Array(lines[(start + 1)..<end])
    }

    /// The rows of the first table in `lines` whose header's first cell is `header`: cells per row.
    func table(_ lines: [String], header: String) -> [[String]] {
        func cells(_ line: String) -> [String] {
            // Split on `|` that is not escaped (`\|` stays inside a cell).
            var out: [String] = [], cell = "", previous: Character = " "
            for c in line {
                if c == "|" && previous != "\\" { out.append(cell); cell = "" } else { cell.append(c) }
                previous = c
            }
            out.append(cell)
            return Array(out.dropFirst().dropLast()).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("|") && cells($0).first == header }) else { return [] }
        var rows: [[String]] = []
        for line in lines[(start + 2)...] {
            guard line.hasPrefix("|") else { break }
            rows.append(cells(line))
        }
        return rows
    }

    /// The first code span of a table cell.
    func firstSpan(_ cell: String) -> String? {
        matches("`([^`]+)`", in: cell, group: 1).first
    }

    // MARK: Reading the runtime

    func runtime() throws -> (ScriptFixture, ScriptRuntime) {
        let f = try ScriptFixture()
        return (f, try f.runtime())
    }

    func publicNames(_ rt: ScriptRuntime) throws -> [String: String] { try rt.publicModuleNames() }

    /// The keys of `core.schema[word]`.
    func schemaKeys(_ rt: ScriptRuntime, _ word: String) throws -> Set<String> {
        let text = try rt.executeWithCore("""
            local keys = {}
            for k in pairs(core.schema["\(word)"]) do keys[#keys + 1] = k end
            return table.concat(keys, "\\n")
            """).first?.stringValue ?? ""
        return Set(text.split(separator: "\n").map(String.init))
    }

    // MARK: Tests

    func testEveryPublicNameIsDocumented() throws {
        let (_, rt) = try runtime()
        let names = try publicNames(rt)
        XCTAssertGreaterThan(names.count, 40, "the module walk found too little: \(names.keys.sorted())")
        let p = parts(try docText())
        let documented = nsTokens((p.headings + codeSpans(p.prose)).joined(separator: "\n"))
        for (name, type) in names.sorted(by: { $0.key < $1.key }) {
            // A sub-table is documented through its members; a function or value by its own name.
            let found = documented.contains(name) || (type == "table" && documented.contains { $0.hasPrefix(name + ".") })
            XCTAssertTrue(found, "\(name) (\(type)) is not in a heading or code span of docs/lua-api.md")
        }
        // Every function has its own heading.
        let headed = nsTokens(p.headings.joined(separator: "\n"))
        for (name, type) in names where type == "function" {
            XCTAssertTrue(headed.contains(name), "\(name) has no heading in docs/lua-api.md")
        }
    }

    func testEveryDocumentedNameExists() throws {
        let (_, rt) = try runtime()
        let names = try publicNames(rt)
        let p = parts(try docText())
        let inHeadings = nsTokens(p.headings.joined(separator: "\n"))
        XCTAssertFalse(inHeadings.isEmpty)
        for token in inHeadings.sorted() {
            XCTAssertNotNil(names[token], "docs/lua-api.md has a heading for \(token), which the module does not have")
        }
        // Code spans and examples must not name anything that is not there either.
        for token in nsTokens((codeSpans(p.prose) + p.fenced).joined(separator: "\n")).sorted() {
            XCTAssertNotNil(names[token], "docs/lua-api.md mentions \(token), which the module does not have")
        }
    }

    func testSchemaKeysMatchTheTables() throws {
        let (_, rt) = try runtime()
        let doc = try docText()
        for word in ["settings", "host", "job"] {
            guard let lines = section(doc, word: word) else {
                XCTFail("docs/lua-api.md has no '## \(word) ...' section")
                continue
            }
            let rows = table(lines, header: "key")
            let documented = rows.compactMap { firstSpan($0[0]) }
            XCTAssertEqual(documented.count, Set(documented).count, "\(word): a key is documented twice")
            let schema = try schemaKeys(rt, word)
            XCTAssertFalse(schema.isEmpty)
            for key in schema.sorted() where !documented.contains(key) {
                XCTFail("\(word): key '\(key)' of core.schema.\(word) is missing from the table in docs/lua-api.md")
            }
            for key in documented where !schema.contains(key) {
                XCTFail("\(word): docs/lua-api.md documents key '\(key)', which core.schema.\(word) does not have")
            }
            for row in rows {
                XCTAssertGreaterThanOrEqual(row.count, 4, "\(word): row \(row) needs key, type, default and meaning")
            }
        }
    }

    func testDocumentedDefaultsMatchTheCode() throws {
        let (_, rt) = try runtime()
        // Declare the minimum, validate (which fills the settings defaults), then read what the
        // standard library made of each key that was not given. The host's address is not this
        // machine's (127.0.0.1 would make it `self`, which is not the default being compared).
        let text = try rt.executeWithCore("""
            host "A" { ip = "192.0.2.1" }
            job "J" { source = "A", target = "A", run = { "true" } }
            core.validate()
            local given = { host = { ip = true, name = true, where = true, loc = true },
                            job = { source = true, target = true, run = true, name = true, where = true, loc = true } }
            local out = {}
            local function dump(word, t)
              for k, v in pairs(t) do
                if not (given[word] and given[word][k]) and type(v) ~= "table" then
                  out[#out + 1] = word .. "\\t" .. k .. "\\t" .. (type(v) == "string" and ('"' .. v .. '"') or tostring(v))
                end
              end
            end
            dump("settings", core.config.settings)
            dump("host", core.config.hosts.A)
            dump("job", core.config.jobs.J)
            return table.concat(out, "\\n")
            """).first?.stringValue ?? ""
        let doc = try docText()
        var checked = 0
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 3, let lines = section(doc, word: f[0]) else { continue }
            guard let row = table(lines, header: "key").first(where: { firstSpan($0[0]) == f[1] }), row.count >= 3 else {
                continue // a missing key is reported by testSchemaKeysMatchTheTables
            }
            XCTAssertEqual(firstSpan(row[2]), f[2], "\(f[0]).\(f[1]): the documented default differs from the code")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 15, "too few defaults compared: \(text)")
    }

    func testNightMethodsAndFieldsAreDocumented() throws {
        let (_, rt) = try runtime()
        let text = try rt.executeWithCore("""
            local night = core.new_night({}, true)
            local out = {}
            for k, v in pairs(getmetatable(night).__index) do
              if type(v) == "function" and k:sub(1, 1) ~= "_" then out[#out + 1] = "method\\t" .. k end
            end
            for k in pairs(night) do out[#out + 1] = "field\\t" .. k end
            return table.concat(out, "\\n")
            """).first?.stringValue ?? ""
        let p = parts(try docText())
        let headedMethods = Set(p.headings.flatMap { matches(#"night:([a-z_]+)\("#, in: $0, group: 1) })
        let fieldRows = Set(codeSpans(p.prose).flatMap { matches(#"^night\.([a-z_]+)$"#, in: $0, group: 1) })
        var methods: Set<String> = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            if f[0] == "method" {
                methods.insert(f[1])
                XCTAssertTrue(headedMethods.contains(f[1]), "night:\(f[1]) has no heading in docs/lua-api.md")
            } else {
                XCTAssertTrue(fieldRows.contains(f[1]), "night.\(f[1]) is not documented in docs/lua-api.md")
            }
        }
        XCTAssertTrue(methods.contains("run"), text)
        for m in headedMethods.sorted() where !methods.contains(m) {
            XCTFail("docs/lua-api.md documents night:\(m), which the night object does not have")
        }
    }

    func testEventsMatch() throws {
        let f = try ScriptFixture()
        // The DSL lists its events in the error for an unknown one.
        let message = try f.problems("on(\"no_such_event\", function() end)").joined()
        let list = matches(#"\(events: ([^)]*)\)"#, in: message, group: 1).first ?? ""
        let events = Set(list.components(separatedBy: ", ").filter { !$0.isEmpty })
        XCTAssertEqual(events.count, 7, message) // v2 added `stale`
        guard let lines = section(try docText(), word: "Events") else { return XCTFail("no '## Events' section") }
        let documented = Set(table(lines, header: "event").compactMap { firstSpan($0[0]) })
        XCTAssertEqual(documented, events, "the events table of docs/lua-api.md differs from the DSL's events")
        for event in events.sorted() {
            XCTAssertEqual(try f.problems("on(\"\(event)\", function() end)"), [], event)
        }
    }
}
