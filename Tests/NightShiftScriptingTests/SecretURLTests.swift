import Foundation
import XCTest

/// What a notification URL carries as a credential (ntfy's `user:password@`, a Healthchecks
/// UUID, a query token) reaches none of the log, the failure report, the `/fail` body sent
/// out, or `check`'s output.
final class SecretURLTests: XCTestCase {
    private let secrets = ["s3cretpw", "5f3a6c1e-8e9b-4a8e-9c1d-2b7e0c9f1a22", "tok3n99"]

    func testNoChannelShowsACredentialAURLCarries() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        let hc = server.url("/5f3a6c1e-8e9b-4a8e-9c1d-2b7e0c9f1a22")
        let ntfy = server.url("/backups?auth=tok3n99").replacingOccurrences(of: "http://", with: "http://alice:s3cretpw@")
        // The job quotes a URL too, as a copy tool's error might: its line reaches the report.
        let job = #"job "Job" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "echo failed posting to \#(ntfy); exit 3" } }"#
        try n.site("""
            ns.notify.healthchecks{url = "\(hc)"}
            ns.notify.ntfy{url = "\(ntfy)"}
            on("failure", ns.report.copy_log("\(n.f.dir)/share"))
            ns.log.info("notifying %s", "\(ntfy)")
            """ + "\n" + job)
        XCTAssertEqual(try n.night(), 1, n.log)
        // The requests went out with the credentials: only what is shown is redacted.
        XCTAssertTrue(server.paths.contains("/5f3a6c1e-8e9b-4a8e-9c1d-2b7e0c9f1a22/fail"), "\(server.paths)")
        XCTAssertTrue(server.paths.contains("/backups?auth=tok3n99"), "\(server.paths)")
        XCTAssertTrue(n.log.contains("http: POST http://127.0.0.1:\(server.port)/***/fail"), n.log)

        let report = try String(contentsOfFile: n.f.dir + "/share/Backup Job Job failed.txt", encoding: .utf8)
        XCTAssertTrue(report.contains("failed posting to http://***@127.0.0.1:\(server.port)/backups?***"), report)
        let fail = try XCTUnwrap(server.requests.first { ($0["path"] as? String)?.hasSuffix("/fail") == true }?["body"] as? String)
        XCTAssertTrue(fail.contains("Job Job: failed (exit 3"), fail)
        let check = try n.run(["check", n.f.dir + "/site.lua"]).output
        for secret in secrets {
            XCTAssertFalse(n.log.contains(secret), "log shows \(secret): \(n.log)")
            XCTAssertFalse(report.contains(secret), "failure report shows \(secret): \(report)")
            XCTAssertFalse(fail.contains(secret), "/fail body shows \(secret): \(fail)")
            XCTAssertFalse(check.contains(secret), "check shows \(secret): \(check)")
        }
    }
}
