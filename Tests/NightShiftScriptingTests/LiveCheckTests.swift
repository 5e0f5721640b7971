import Foundation
import NightShiftCore
import XCTest

/// `nightshift check SCRIPT --live` against loopback stand-ins inside a private namespace: an
/// HTTP server for the notification endpoints, a dead port, a host that is off (an address
/// routed into `lo` that nobody has), and an `ssh` stand-in that refuses one host's key.
final class LiveCheckTests: XCTestCase {
    private func fixture() throws -> ScriptFixture {
        guard ProcessInfo.processInfo.environment["NIGHTSHIFT_PRIVATE_NETNS"] == "1" else {
            throw XCTSkip("check --live sends packets: run it in a private namespace (scripts/test-network LiveCheckTests)")
        }
        let f = try ScriptFixture()
        _ = try CycleFixture.sh("ip link set lo up")
        // Off, not unreachable: routed into lo, the probes are dropped (as in CycleFixture).
        _ = try CycleFixture.sh("ip route replace 10.201.0.0/24 dev lo")
        try FileManager.default.createDirectory(atPath: f.dir + "/bin", withIntermediateDirectories: true)
        try f.write("bin/ssh", """
            #!/bin/sh
            printf '%s\\n' "$*" >> "\(f.dir)/ssh.log"
            case "$*" in *127.0.0.2*) echo "backup@127.0.0.2: Permission denied (publickey)." >&2; exit 255 ;; esac
            exit 0
            """)
        chmod(f.dir + "/bin/ssh", 0o755)
        return f
    }

    private func host(_ name: String, _ ip: String, _ n: Int, _ dir: String, extra: String = "") -> String {
        """
        host "\(name)" { ip = "\(ip)", mac = "02:00:00:00:01:0\(n)", user = "backup"\(extra),
          actions = { shutdown = { "\(dir)/bin/ssh", "-o", "ConnectTimeout=5", "-l", "{user}", "--", "{ip}", "systemctl", "poweroff" } } }

        """
    }

    func testEveryItemIsTriedWithoutChangingAnythingAndTheFailuresAreNamed() throws {
        let f = try fixture()
        let server = try CountingHTTPServer(in: f.dir)
        let path = try f.write("site.lua", """
            local ns = require "nightshift"
            settings { self = "Nas" }
            host "Nas" { }
            \(host("Good", "127.0.0.1", 1, f.dir))\(host("Refuses", "127.0.0.2", 2, f.dir))\(host("Off", "10.201.0.9", 3, f.dir))
            ns.notify.healthchecks { url = "\(server.url("/ping/abc"))" }
            ns.notify.ntfy { url = "\(server.url("/office"))" }
            ns.notify.webhook { url = "\(server.url("/hook"))" }
            ns.notify.ntfy { url = "http://127.0.0.1:1/dead" }
            """)
        let r = try NightShiftBinary.run(["check", path, "--live"], timeout: 90)
        XCTAssertEqual(r.status, 1, r.output)
        let lines = r.output.split(separator: "\n").map(String.init)
        func line(_ prefix: String) -> String? { lines.first { $0.hasPrefix("  " + prefix) } }
        XCTAssertNotNil(line("ok    host Good"), r.output)
        XCTAssertNotNil(line("ok    ssh Good"), r.output)
        XCTAssertTrue(line("FAIL  ssh Refuses")?.contains("Permission denied (publickey). (the key is not accepted") ?? false, r.output)
        XCTAssertTrue(line("off   host Off")?.contains("offline") ?? false, r.output)
        XCTAssertNil(lines.first { $0.contains("ssh Off") }, "a host that is off is never logged into: \(r.output)")
        XCTAssertTrue(line("FAIL  ntfy")?.contains("127.0.0.1:1/") ?? false, r.output)
        XCTAssertNotNil(line("ok    path state_dir"), r.output)
        let summary = try XCTUnwrap(lines.first { $0.hasPrefix("Summary:") }, r.output)
        XCTAssertTrue(summary.contains("2 failed (ssh Refuses, ntfy "), summary)
        XCTAssertTrue(summary.contains("1 host offline"), summary)

        // The ssh login was a no-op: batch mode, a known host key, `exit 0` instead of the action.
        let ssh = try String(contentsOfFile: f.dir + "/ssh.log", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(ssh.count, 2, "\(ssh)")
        for call in ssh {
            XCTAssertTrue(call.hasPrefix("-o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=5 -l backup -- 127.0.0."), String(call))
            XCTAssertTrue(call.hasSuffix(" exit 0"), String(call))
            XCTAssertFalse(call.contains("poweroff"), String(call))
        }
        // One test message per endpoint, each saying it is a test.
        XCTAssertEqual(Set(server.paths), ["/ping/abc/log", "/office", "/hook"], "\(server.paths)")
        let ntfy = try XCTUnwrap(server.requests.first { $0["path"] as? String == "/office" })
        XCTAssertEqual((ntfy["headers"] as? [String: String])?["Title"], "NightShift test message")
        let hook = try XCTUnwrap(server.requests.first { $0["path"] as? String == "/hook" }?["body"] as? String)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(hook.utf8)) as? [String: Any])
        XCTAssertEqual(json["test"] as? Bool, true, hook)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/state"), "the rehearsal wrote no state")
    }

    func testAllPassedIsExitZero() throws {
        let f = try fixture()
        let server = try CountingHTTPServer(in: f.dir)
        let path = try f.write("site.lua", """
            local ns = require "nightshift"
            settings { self = "Nas" }
            host "Nas" { }
            \(host("Good", "127.0.0.1", 1, f.dir))
            ns.notify.ntfy { url = "\(server.url("/office"))" }
            """)
        let r = try NightShiftBinary.run(["check", path, "--live"], timeout: 60)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("Summary: 5 passed, 0 failed"), r.output)
        XCTAssertEqual(server.paths, ["/office"])
    }
}
