import Foundation
import NightShiftScripting
import XCTest

/// scripts/nightly.lua and every scripts/examples/*.lua must load and validate cleanly.
/// Validation only: loading runs the scripts' top level (DSL declarations) and never a
/// cycle, so nothing is probed, woken or run, whatever addresses the scripts name.
final class ExampleScriptsTests: XCTestCase {
    /// The repository's scripts/ folder, found relative to this file.
    static let scriptsDir = URL(fileURLWithPath: "\(#filePath)")
        .deletingLastPathComponent().appendingPathComponent("../../scripts").standardizedFileURL.path

    /// nightly.lua and the examples, sorted.
    func siteScripts() throws -> [String] {
        let examples = Self.scriptsDir + "/examples"
        let names = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".lua") }.sorted()
        return [Self.scriptsDir + "/nightly.lua"] + names.map { examples + "/" + $0 }
    }

    func testTheRequiredExamplesExist() throws {
        let names = try siteScripts().map { ($0 as NSString).lastPathComponent }
        for required in ["nightly.lua", "rsync-single-target.lua", "windows-clients.lua"] {
            XCTAssertTrue(names.contains(required), "\(required) is missing from scripts/")
        }
    }

    func testEveryScriptValidatesAndHasAPlan() throws {
        for path in try siteScripts() {
            let f = try ScriptFixture()
            // Dry run, like `nightshift check`: even a top-level primitive call would send nothing.
            let rt = try f.runtime(ScriptOptions(dryRun: true))
            let source = try XCTUnwrap(FileManager.default.contents(atPath: path), path)
            do {
                try rt.loadSite(path: path, source: Array(source))
            } catch let problems as ScriptProblems {
                XCTFail("\(path) has problems:\n\(problems)")
                continue
            }
            let plan = try rt.plan()
            XCTAssertFalse(plan.isEmpty, path)
            let text = plan.joined(separator: "\n")
            XCTAssertTrue(text.contains("Jobs in order"), "\(path): \(text)")
            XCTAssertFalse(text.contains("Jobs in order (0)"), "\(path) declares no job: \(text)")
            // Loading sent nothing and ran nothing: no DRY-RUN line was needed either.
            XCTAssertFalse(f.logText.contains("DRY-RUN"), "\(path) ran a primitive with an outside effect at load time:\n\(f.logText)")
        }
    }

    func testNightshiftCheckPassesOnEveryScript() throws {
        // The real command, as an admin runs it on a fresh copy: exit 0 and no problem listed.
        for path in try siteScripts() {
            let r = try NightShiftBinary.run(["check", path], timeout: 60)
            XCTAssertFalse(r.killed, path)
            XCTAssertEqual(r.status, 0, "nightshift check \(path):\n\(r.output)")
        }
    }

    func testTheWindowsExamplesRpcWayPassesCheckWithItsCredentialsFile() throws {
        // windows-clients.lua's other way: `net rpc` with a credentials file, which check
        // refuses while it is missing or readable by others.
        let f = try ScriptFixture()
        let example = try String(contentsOfFile: Self.scriptsDir + "/examples/windows-clients.lua", encoding: .utf8)
        XCTAssertTrue(example.contains(#"local WAY = "ssh""#))
        let cred = f.dir + "/smb.cred"
        let rpc = example.replacingOccurrences(of: #"local WAY = "ssh""#, with: #"local WAY = "rpc""#)
            .replacingOccurrences(of: "/etc/nightshift/smb.cred", with: cred)
        let path = try f.write("windows-clients.lua", rpc)
        let missing = try NightShiftBinary.run(["check", path], timeout: 60)
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.output.contains("credentials file \"\(cred)\" does not exist"), missing.output)
        try f.write("smb.cred", "username = backupadmin\npassword = secret\n")
        chmod(cred, 0o600)
        let ok = try NightShiftBinary.run(["check", path], timeout: 60)
        XCTAssertEqual(ok.status, 0, ok.output)
    }

    func testExamplesOnlyNamePrivateAddresses() throws {
        // Examples are copied into real sites: they must never point at a public address.
        for path in try siteScripts() {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"\b(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}\b"#)
            for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let address = (text as NSString).substring(with: m.range)
                XCTAssertTrue(address.hasPrefix("192.168.") || address.hasPrefix("10.") || address.hasPrefix("127.")
                                || address == "255.255.255.255",
                              "\(path) names \(address), which is not a private address")
            }
        }
    }
}
