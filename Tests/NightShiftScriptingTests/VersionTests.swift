import Foundation
import NightShiftCore
import XCTest

/// The version says what changed: `--version`, CHANGELOG.md and the Debian changelog agree,
/// and every release has its entry.
final class VersionTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func testVersionChangelogAndPackageAgree() throws {
        let r = try NightShiftBinary.run(["--version"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output.trimmingCharacters(in: .whitespacesAndNewlines), NightShiftVersion.string)
        XCTAssertNotEqual(NightShiftVersion.string, "0.1.0", "two rounds of user-visible change need a new version")

        let changelog = try String(contentsOfFile: root + "/CHANGELOG.md", encoding: .utf8)
        let releases = changelog.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3).split(separator: " ")[0]) }
        XCTAssertEqual(releases.first, NightShiftVersion.string, "CHANGELOG.md's newest entry")
        XCTAssertTrue(releases.contains("0.1.0"), "\(releases)")

        let debian = try String(contentsOfFile: root + "/packaging/changelog", encoding: .utf8)
        let packaged = debian.split(separator: "\n").filter { $0.hasPrefix("nightshift (") }.map {
            String($0.dropFirst("nightshift (".count).prefix { $0 != ")" })
        }
        XCTAssertEqual(packaged, releases, "the Debian changelog has the same releases, newest first")
    }
}
