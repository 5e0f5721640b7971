import Foundation
import XCTest

/// Keeps docs/design.md's layout true and the pure target pure: every folder of Core and
/// Base is in the "## Layout" table and every folder the table names exists, and no
/// NightShiftBase source imports a module with side effects or a SwiftPM package.
final class LayoutDocTests: XCTestCase {
    static let root = DesignDocTests.root

    /// The folders directly under `Sources/TARGET`.
    func folders(of target: String) throws -> Set<String> {
        let base = Self.root.appendingPathComponent("Sources/\(target)")
        let names = try FileManager.default.contentsOfDirectory(atPath: base.path)
        return Set(names.filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: base.appendingPathComponent(name).path, isDirectory: &isFolder)
                && isFolder.boolValue
        })
    }

    /// The "## Layout" section of docs/design.md.
    func layoutSection() throws -> String {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/design.md"), encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "\n## Layout\n"), "docs/design.md has no \"## Layout\" section")
        return text[start.upperBound...].components(separatedBy: "\n## ").first ?? ""
    }

    func testTheLayoutTableMatchesTheFolders() throws {
        let section = try layoutSection()
        for (target, short) in [("NightShiftCore", "Core"), ("NightShiftBase", "Base")] {
            let actual = try folders(of: target)
            for folder in actual {
                XCTAssertTrue(section.contains("`\(short)/\(folder)/`"), "docs/design.md's layout lacks `\(short)/\(folder)/`")
            }
            let pattern = try NSRegularExpression(pattern: "`\(short)/([A-Za-z]+)/`")
            let range = NSRange(section.startIndex..., in: section)
            for match in pattern.matches(in: section, range: range) {
                let named = String(section[Range(match.range(at: 1), in: section)!])
                XCTAssertTrue(actual.contains(named), "docs/design.md's layout names `\(short)/\(named)/`, which does not exist")
            }
        }
    }

    func testTheBaseTargetImportsNothingWithSideEffects() throws {
        let allowed: Set<String> = ["Foundation", "Glibc"]
        let base = Self.root.appendingPathComponent("Sources/NightShiftBase")
        let walker = try XCTUnwrap(FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil))
        var files = 0
        for case let url as URL in walker where url.pathExtension == "swift" {
            files += 1
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.contains(" import ") {
                let module = String(line.split(separator: " ").last ?? "")
                XCTAssertTrue(allowed.contains(module), "\(url.lastPathComponent) imports \(module): NightShiftBase stays pure")
            }
        }
        XCTAssertGreaterThan(files, 20, "NightShiftBase's sources were not found")
    }
}
