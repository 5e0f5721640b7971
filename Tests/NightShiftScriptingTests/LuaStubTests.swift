import Foundation
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// Keeps the LuaLS stub docs/nightshift.d.lua honest: every public `ns.*` name of the module
/// as built, every DSL key and every DSL function is annotated, and `nightshift api`
/// prints exactly that file (the package installs the same text).
final class LuaStubTests: XCTestCase {
    static let stubPath = URL(fileURLWithPath: "\(#filePath)")
        .deletingLastPathComponent().appendingPathComponent("../../docs/nightshift.d.lua").standardizedFileURL.path

    func stub() throws -> String { try String(contentsOfFile: Self.stubPath, encoding: .utf8) }

    func publicNames(_ rt: ScriptRuntime) throws -> [String: String] { try rt.publicModuleNames() }

    /// The `---@field` names of `---@class NAME` (up to the next non-annotation line).
    func fields(of className: String, in stub: String) -> Set<String> {
        var out: Set<String> = []
        var inside = false
        for line in stub.components(separatedBy: "\n") {
            if line.hasPrefix("---@class ") {
                let name = line.dropFirst(10).split(whereSeparator: { $0 == " " || $0 == ":" }).first.map(String.init)
                inside = name == className
                continue
            }
            guard inside else { continue }
            guard line.hasPrefix("---@field ") else { inside = false; continue }
            if let field = line.dropFirst(10).split(separator: " ").first {
                out.insert(field.hasSuffix("?") ? String(field.dropLast()) : String(field))
            }
        }
        return out
    }

    func testEveryPublicNameIsInTheStub() throws {
        let f = try ScriptFixture()
        let names = try publicNames(try f.runtime())
        XCTAssertGreaterThan(names.count, 40)
        let text = try stub()
        let moduleFields = fields(of: "nightshift", in: text)
        for (name, type) in names.sorted(by: { $0.key < $1.key }) {
            switch type {
            case "function":
                XCTAssertTrue(text.contains("function \(name)("), "\(name) has no `function \(name)(...) end` in docs/nightshift.d.lua")
            case "table":
                let covered = text.contains("\(name) = {}") || names.contains { $0.key.hasPrefix(name + ".") && text.contains("function \($0.key)(") }
                XCTAssertTrue(covered, "\(name) (table) is not in docs/nightshift.d.lua")
            default:
                let last = String(name.split(separator: ".").last ?? "")
                let documented = name.split(separator: ".").count == 2 ? moduleFields.contains(last) : text.contains("---@field \(last)")
                XCTAssertTrue(documented, "\(name) (\(type)) is not a ---@field in docs/nightshift.d.lua")
            }
        }
        // Nothing in the stub that the module does not have.
        let regex = try NSRegularExpression(pattern: #"^function (ns(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\("#, options: .anchorsMatchLines)
        let ns = text as NSString
        for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let name = ns.substring(with: m.range(at: 1))
            XCTAssertEqual(names[name], "function", "docs/nightshift.d.lua declares \(name), which the module does not have")
        }
    }

    func testEveryDSLKeyAndFunctionIsInTheStub() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let text = try stub()
        for (word, className) in [("settings", "ns.SettingsSpec"), ("host", "ns.HostSpec"), ("job", "ns.JobSpec")] {
            let keys = try rt.executeWithCore("""
                local keys = {}
                for k in pairs(core.schema["\(word)"]) do keys[#keys + 1] = k end
                return table.concat(keys, "\\n")
                """).first?.stringValue ?? ""
            let schema = Set(keys.split(separator: "\n").map(String.init))
            XCTAssertFalse(schema.isEmpty, word)
            let documented = fields(of: className, in: text)
            for key in schema.sorted() where !documented.contains(key) {
                XCTFail("\(word) key '\(key)' is not a ---@field of \(className) in docs/nightshift.d.lua")
            }
            for key in documented.sorted() where !schema.contains(key) {
                XCTFail("\(className) in docs/nightshift.d.lua has '\(key)', which core.schema.\(word) does not have")
            }
        }
        for dsl in ["settings", "host", "job", "on", "routine", "trigger", "global"] {
            XCTAssertTrue(text.contains("\nfunction \(dsl)("), "the DSL function \(dsl) is not in docs/nightshift.d.lua")
        }
    }

    func testApiPrintsTheStub() throws {
        let result = try NightShiftBinary.run(["api"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output, try stub(), "`nightshift api` differs from docs/nightshift.d.lua")
    }
}
