import Foundation
import XCTest

/// `ns.notify.*` against a local server on 127.0.0.1 that counts requests, and a fake sendmail.
final class NotifyTests: XCTestCase {
    func testHealthchecksGetsStartThenSuccessOnAnOkNightAndStartThenFailWithTheLogTail() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        let good = #"job "Job" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "echo copying-now" } }"#
        try n.site("ns.notify.healthchecks{url = \"\(server.url("/ping/abc"))\"}\n" + good)
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertEqual(server.paths, ["/ping/abc/start", "/ping/abc"], n.log)

        try n.site("ns.notify.healthchecks{url = \"\(server.url("/ping/abc"))\"}\n" + n.failingJob("Job"))
        XCTAssertEqual(try n.night(), 1, n.log)
        XCTAssertEqual(server.paths, ["/ping/abc/start", "/ping/abc", "/ping/abc/start", "/ping/abc/fail"], n.log)
        let fail = try XCTUnwrap(server.requests.last?["body"] as? String)
        XCTAssertTrue(fail.contains("Job Job: failed (exit 3"), "the /fail ping carries the log tail: \(fail)")
    }

    func testAStaleJobSendsItsNtfyMessageOncePerDay() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        try n.site("ns.notify.ntfy{url = \"\(server.url("/nightshift"))\", on = {\"stale\"}}\n"
            + #"job "Old" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "exit 3" }, max_age = "1s" }"#)
        XCTAssertEqual(try n.night(), 1, n.log)
        // Never good: stale one second after the first cycle that declared it.
        XCTAssertTrue(eventually(within: 20) {
            _ = try? n.night()
            return server.paths.count >= 1
        }, n.log)
        for _ in 0..<2 { _ = try n.night() }
        XCTAssertEqual(server.paths, ["/nightshift"], "once per day: \(n.log)")
        let body = try XCTUnwrap(server.requests.first?["body"] as? String)
        XCTAssertTrue(body.contains("job Old is stale"), body)
        XCTAssertTrue(n.log.contains("Job Old is stale"), n.log)
    }

    func testAWebhookPostsJsonAndMailGoesThroughSendmailAsArgv() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        let sendmail = try n.f.write("sendmail", "#!/bin/sh\necho \"$@\" > \(n.f.dir)/mail.args\ncat > \(n.f.dir)/mail.txt\n")
        chmod(sendmail, 0o755)
        try n.site("""
            ns.notify.webhook{url = "\(server.url("/hook"))", on = {"failure"}}
            ns.notify.mail{to = "admin@example.org", on = {"failure"}, sendmail = "\(sendmail)"}
            """ + n.failingJob("Broken"))
        XCTAssertEqual(try n.night(), 1, n.log)
        let hook = try XCTUnwrap(server.requests.first, n.log)
        XCTAssertEqual(hook["path"] as? String, "/hook")
        XCTAssertEqual((hook["headers"] as? [String: String])?["Content-Type"], "application/json")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((hook["body"] as! String).utf8)) as? [String: Any])
        XCTAssertEqual(doc["event"] as? String, "failure")
        XCTAssertEqual(doc["job"] as? String, "Broken")
        XCTAssertTrue(eventually(within: 10) { FileManager.default.fileExists(atPath: n.f.dir + "/mail.txt") }, n.log)
        let args = try String(contentsOfFile: n.f.dir + "/mail.args", encoding: .utf8)
        XCTAssertEqual(args, "-i -- admin@example.org\n")
        let mail = try String(contentsOfFile: n.f.dir + "/mail.txt", encoding: .utf8)
        XCTAssertTrue(mail.hasPrefix("To: admin@example.org\nSubject: NightShift on "), mail)
        XCTAssertTrue(mail.contains("job Broken failed: exit 3"), mail)
    }

    func testAFailingNotificationIsRetriedThenMakesTheNightAWarningAndNeverFailsIt() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        try n.site("ns.notify.healthchecks{url = \"\(server.url("/status/500"))\"}\n"
            + #"job "Job" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }"#)
        XCTAssertEqual(try n.night(), 0, n.log)
        // /start and the success ping, each tried 3 times.
        XCTAssertEqual(server.paths.count, 6, "\(server.paths)")
        XCTAssertTrue(n.log.contains("Notification healthchecks start failed: HTTP 500"), n.log)
        XCTAssertTrue(n.log.contains("Night done with warnings"), n.log)
    }

    func testAHungNotificationEndsWithHookTimeout() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let server = try CountingHTTPServer(in: n.f.dir)
        try n.site(settings: #"hook_timeout = "2s""#, "ns.notify.ntfy{url = \"\(server.url("/hang"))\", on = {\"after_backup\"}}\n"
            + #"job "Job" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }"#)
        let started = Date()
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, n.log)
        XCTAssertTrue(n.log.contains("handler for \"after_backup\" failed: timed out after 2s (hook_timeout)"), n.log)
        XCTAssertTrue(n.log.contains("Night done with warnings"), n.log)
    }

    func testBadNotifyArgumentsAreReportedAtTheScriptsLine() throws {
        let f = try ScriptFixture()
        let problems = try f.problems("""
            local ns = require "nightshift"
            ns.notify.ntfy{url = "http://127.0.0.1:1/x", on = {"stail"}}
            """)
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.first?.contains("site.lua:2:") ?? false, "\(problems)")
        XCTAssertTrue(problems.first?.contains(#"bad argument #1 to 'ntfy' (unknown event "stail" in field 'on'; events: sweep, "#) ?? false, "\(problems)")
    }
}
