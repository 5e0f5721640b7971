import Foundation
import XCTest

/// The shipped alert rules pass their promtool tests, and the metrics path the README shows
/// is one the units may write under ProtectSystem=strict.
final class PrometheusPackagingTests: XCTestCase {
    static let root = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL.path

    private func run(_ tool: String, _ args: [String], in dir: String) throws -> (code: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testTheAlertRulesPassTheirPromtoolTests() throws {
        guard let promtool = ScriptTool.which("promtool") else {
            throw XCTSkip("promtool is not installed (Debian: prometheus): the alert rules are not tested")
        }
        let dir = Self.root + "/packaging/prometheus"
        let check = try run(promtool, ["check", "rules", "nightshift-alerts.yml"], in: dir)
        XCTAssertEqual(check.code, 0, check.output)
        XCTAssertTrue(check.output.contains("SUCCESS: 3 rules found"), check.output)
        let test = try run(promtool, ["test", "rules", "nightshift-alerts.test.yml"], in: dir)
        XCTAssertEqual(test.code, 0, test.output)
        let rules = try String(contentsOfFile: dir + "/nightshift-alerts.yml", encoding: .utf8)
        for name in ["NightShiftBackupStale", "NightShiftJobFailed", "NightShiftNotReporting"] {
            XCTAssertTrue(rules.contains("- alert: \(name)\n"), name)
        }
        // A NAS that sleeps has no `up` worth reading; the rules must not lean on it.
        XCTAssertNil(rules.range(of: #"\bup\b\s*(==|\{|\[)"#, options: .regularExpression), rules)
    }

    func testTheReadmeMetricsPathIsWritableUnderEveryStrictUnit() throws {
        let readme = try String(contentsOfFile: Self.root + "/README.md", encoding: .utf8)
        let paths = readme.components(separatedBy: "metrics = \"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
        XCTAssertFalse(paths.isEmpty, "the README shows a metrics path")
        let units = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/packaging").filter { $0.hasSuffix(".service") }
        XCTAssertEqual(units.count, 2, "\(units)")
        for unit in units {
            let text = try String(contentsOfFile: Self.root + "/packaging/" + unit, encoding: .utf8)
            guard text.contains("\nProtectSystem=strict\n") else { continue }
            var writable = ["/var/lib/nightshift", "/var/log/nightshift"] // StateDirectory=, LogsDirectory=
            for line in text.split(separator: "\n") where line.hasPrefix("ReadWritePaths=") {
                writable += line.dropFirst("ReadWritePaths=".count).split(separator: " ").map {
                    String($0.hasPrefix("-") ? $0.dropFirst() : $0)
                }
            }
            for path in paths where path.hasPrefix("/") {
                let dir = (path as NSString).deletingLastPathComponent
                XCTAssertTrue(writable.contains { dir == $0 || dir.hasPrefix($0 + "/") },
                              "\(unit) cannot write \(path) under ProtectSystem=strict (writable: \(writable))")
            }
        }
    }
}
