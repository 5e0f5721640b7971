import Foundation
import XCTest

/// Invariant 12 with the real binary: a notification that cannot be delivered waits in
/// `state_dir/outbox/` and goes out at a later cycle; this machine sleeps only once the
/// night's notifications were delivered or queued.
final class OutboxNightTests: XCTestCase {
    private let job = #"job "Job" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }"#

    /// The names of the messages waiting in the outbox.
    private func waiting(_ n: ObservedNight) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: n.f.dir + "/state/outbox")) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    func testANotificationToADeadEndpointWaitsInTheOutboxAndGoesOutWhenTheEndpointIsBack() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let first = try CountingHTTPServer(in: n.f.dir)
        let port = first.port
        first.stop() // nothing listens there now: connection refused
        let metrics = n.f.dir + "/metrics.prom"
        try n.site(settings: "metrics = \"\(metrics)\"", "ns.notify.healthchecks{url = \"http://127.0.0.1:\(port)/ping/abc\"}\n" + job)
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertTrue(n.log.contains("Notification healthchecks start failed: "), n.log)
        XCTAssertTrue(n.log.contains("kept in the outbox (2 waiting), resent at the next cycle"), n.log)
        XCTAssertTrue(n.log.contains("Night done with warnings"), n.log)
        let queued = waiting(n)
        XCTAssertEqual(queued.count, 2, n.log)
        for name in queued {
            var info = stat()
            XCTAssertEqual(lstat(n.f.dir + "/state/outbox/" + name, &info), 0)
            XCTAssertEqual(info.st_mode & 0o7777, 0o600, "a ping URL is a secret: \(name)")
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG)
        }
        let metricsText = try String(contentsOfFile: metrics, encoding: .utf8)
        XCTAssertTrue(metricsText.contains("\nnightshift_notifications_undelivered 2"), metricsText)
        let json = try n.run(["status", n.f.dir + "/site.lua", "--json"])
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], json.output)
        XCTAssertEqual(doc["notifications_undelivered"] as? Int, 2, json.output)
        let text = try n.run(["status", n.f.dir + "/site.lua"])
        XCTAssertTrue(text.output.contains("Notifications waiting: 2 in the outbox"), text.output)

        // Still dead at the next cycle: nothing is lost, nothing is duplicated in the outbox.
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertEqual(waiting(n).count, 4, n.log)
        XCTAssertTrue(waiting(n).starts(with: queued), "the oldest stay first")

        let back = try CountingHTTPServer(in: n.f.dir, port: port)
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertEqual(back.paths, ["/ping/abc/start", "/ping/abc", "/ping/abc/start", "/ping/abc",
                                    "/ping/abc/start", "/ping/abc"], "queued ones first, in order, then tonight's")
        XCTAssertEqual(waiting(n), [], n.log)
        XCTAssertTrue(n.log.contains("Outbox: 4 delivered, 0 waiting"), n.log)
        let after = try String(contentsOfFile: metrics, encoding: .utf8)
        XCTAssertTrue(after.contains("\nnightshift_notifications_undelivered 0"), after)
        XCTAssertFalse(try n.run(["status", n.f.dir + "/site.lua"]).output.contains("Notifications waiting"))
    }

    /// A self-only site that hibernates through its own action, which writes when it ran and
    /// how many notifications waited at that instant.
    private func sleepingSite(_ n: ObservedNight, hookTimeout: String, url: String) throws {
        let dir = n.f.dir
        try n.f.write("site.lua", """
            local ns = require "nightshift"
            settings { self = "Nas", check_every = "1h", self_sleep = "hibernate", busy = {}, hook_timeout = "\(hookTimeout)" }
            host "Nas" { actions = { hibernate = { "sh", "-c",
              "date +%s.%N > \(dir)/slept; ls \(dir)/state/outbox 2>/dev/null | grep -c json > \(dir)/waiting-at-sleep" } } }
            ns.notify.webhook{url = "\(url)", on = {"after_backup"}}
            \(job)
            """)
    }

    private func read(_ n: ObservedNight, _ name: String) -> String {
        ((try? String(contentsOfFile: n.f.dir + "/" + name, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testThisMachineSleepsOnlyAfterASlowEndpointAnswered() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        try sleepingSite(n, hookTimeout: "60s", url: server.url("/slow/3"))
        XCTAssertEqual(try n.night(), 0, n.log)
        let slept = try XCTUnwrap(Double(read(n, "slept")), "the hibernate action ran: \(n.log)")
        let answer = try XCTUnwrap(server.answered.first { $0.path == "/slow/3" }, "the server answered")
        XCTAssertLessThan(answer.time, slept, "the answer came before this machine slept")
        XCTAssertEqual(read(n, "waiting-at-sleep"), "0", "delivered, so nothing waits: \(n.log)")
    }

    func testANotificationCutShortByHookTimeoutIsQueuedBeforeThisMachineSleepsAndSentLater() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        try sleepingSite(n, hookTimeout: "2s", url: server.url("/slow/6"))
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertTrue(n.log.contains("handler for \"after_backup\" failed: timed out after 2s (hook_timeout)"), n.log)
        XCTAssertNotNil(Double(read(n, "slept")), "the hibernate action ran: \(n.log)")
        XCTAssertEqual(read(n, "waiting-at-sleep"), "1", "the webhook was queued before the sleep: \(n.log)")
        let body = try XCTUnwrap(server.requests.first?["body"] as? String)

        // The next cycle has time enough: the queued webhook goes out with the same body.
        try sleepingSite(n, hookTimeout: "60s", url: server.url("/slow/1"))
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertTrue(n.log.contains("Outbox: 1 delivered, 0 waiting"), n.log)
        let resent = server.requests.filter { $0["path"] as? String == "/slow/6" }
        XCTAssertEqual(resent.count, 2, "the cut-short attempt and the resend: \(server.paths)")
        XCTAssertEqual(resent.last?["body"] as? String, body)
        XCTAssertEqual(read(n, "waiting-at-sleep"), "0", n.log)
    }
}
