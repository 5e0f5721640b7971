import Foundation
import XCTest
import NightShiftCore

/// `ns.notify.healthchecks{api=, api_key_file=, tags=}` against a local server that answers
/// like Healthchecks' Management API v3: one check per job, then each job pings its own.
final class HealthchecksEnrolmentTests: XCTestCase {
    private let key = "hc-secret-key-4711"

    private func keyFile(_ n: ObservedNight, mode: mode_t = 0o600) throws -> String {
        let path = try n.f.write("hc.key", key + "\n")
        chmod(path, mode)
        return path
    }

    private func site(_ n: ObservedNight, api: String, window: String = "03:00-05:00") throws {
        try n.f.write("site.lua", """
            local ns = require "nightshift"
            settings { self = "Nas", check_every = "1h", site = "office", force_window = "\(window)" }
            host "Nas" { }
            ns.notify.healthchecks { api = "\(api)", api_key_file = "hc.key", tags = { "nas", "office" } }
            job "Good" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" }, timeout = "1h" }
            job "Bad" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "echo disk-gone; exit 3" } }
            """)
    }

    /// uuid -> job name, from the enrolment record's ping URLs.
    private func checkNames(_ n: ObservedNight) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: n.f.dir + "/state/healthchecks.json"))
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let urls = try XCTUnwrap(record["pingURLs"] as? [String: String], "\(record)")
        return Dictionary(uniqueKeysWithValues: urls.map { (String($0.value.split(separator: "/").last!), $0.key) })
    }

    func testEnrolmentUpsertsOneCheckPerJobAndEachJobPingsItsOwnCheck() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let hc = try FakeHealthchecks(in: n.f.dir, key: key)
        _ = try keyFile(n)
        try site(n, api: hc.url + "/")
        XCTAssertEqual(try n.night(), 1, n.log)

        let upserts = hc.upserts
        XCTAssertEqual(upserts.compactMap { $0["name"] as? String }, ["office/Good", "office/Bad"], "\(upserts)")
        for u in upserts {
            XCTAssertEqual(u["unique"] as? [String], ["name"])
            XCTAssertEqual(u["schedule"] as? String, "0 3 * * *")
            XCTAssertEqual(u["tz"] as? String, ZoneRules.local.identifier)
            XCTAssertEqual(u["tags"] as? String, "nas office")
            XCTAssertNil(u["timeout"], "a schedule, not a period, with a force window")
        }
        XCTAssertEqual(upserts.first?["grace"] as? Int, 7200 + 3600, "the window's length plus the job's timeout")
        XCTAssertEqual(upserts.last?["grace"] as? Int, 7200)
        let headers = hc.requests.filter { $0["path"] as? String == "/api/v3/checks/" }.compactMap { $0["headers"] as? [String: String] }
        XCTAssertEqual(headers.compactMap { $0["X-Api-Key"] }, [key, key])

        let names = try checkNames(n)
        XCTAssertEqual(Set(names.values), ["Good", "Bad"])
        XCTAssertEqual(hc.pings(named: names), ["/ping/Good/start", "/ping/Good", "/ping/Bad/start", "/ping/Bad/fail"], n.log)
        let fail = try XCTUnwrap(hc.requests.last?["body"] as? String)
        XCTAssertTrue(fail.contains("disk-gone"), "the /fail ping carries the log tail: \(fail)")
        XCTAssertFalse(n.log.contains(key), "the API key never reaches the log")
        var info = stat()
        XCTAssertEqual(stat(n.f.dir + "/state/healthchecks.json", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600, "ping URLs are secrets")

        // A changed schedule is enrolled again: the same checks (unique name), the new cron.
        try site(n, api: hc.url, window: "02:30-04:00")
        XCTAssertEqual(try n.night(), 1, n.log)
        let again = hc.upserts.suffix(2)
        XCTAssertEqual(again.compactMap { $0["schedule"] as? String }, ["30 2 * * *", "30 2 * * *"])
        XCTAssertEqual(again.first?["grace"] as? Int, 5400 + 3600)
        XCTAssertEqual(try checkNames(n), names, "updated, not duplicated")
    }

    func testWithoutAWindowTheCheckGetsAPeriodFromMaxAge() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let hc = try FakeHealthchecks(in: n.f.dir, key: key)
        _ = try keyFile(n)
        try n.site(settings: #"site = "branch""#, """
            ns.notify.healthchecks { api = "\(hc.url)", api_key_file = "hc.key" }
            job "Copy" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" }, max_age = "2d" }
            """)
        XCTAssertEqual(try n.night(), 0, n.log)
        let u = try XCTUnwrap(hc.upserts.first, n.log)
        XCTAssertEqual(u["name"] as? String, "branch/Copy")
        XCTAssertEqual(u["timeout"] as? Int, 172_800)
        XCTAssertEqual(u["grace"] as? Int, 3600)
        XCTAssertNil(u["schedule"])
        XCTAssertEqual(hc.pings(named: try checkNames(n)), ["/ping/Copy/start", "/ping/Copy"], n.log)
    }

    func testARefusedKeyIsAWarningThatNeverShowsTheKey() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let hc = try FakeHealthchecks(in: n.f.dir, key: "another-key")
        _ = try keyFile(n)
        try n.site("""
            ns.notify.healthchecks { api = "\(hc.url)", api_key_file = "hc.key" }
            job "Copy" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            """)
        XCTAssertEqual(try n.night(), 0, n.log)
        XCTAssertTrue(n.log.contains("Healthchecks: cannot enrol "), n.log)
        XCTAssertTrue(n.log.contains("HTTP 401 (the API key was refused)"), n.log)
        XCTAssertTrue(n.log.contains("Night done with warnings"), n.log)
        XCTAssertFalse(n.log.contains(key), n.log)
    }

    func testAKeyFileOthersCanReadIsRefusedAtTheScriptsLine() throws {
        let n = ObservedNight(f: try ScriptFixture())
        let path = try keyFile(n, mode: 0o644)
        let problems = try n.f.problems("""
            local ns = require "nightshift"
            ns.notify.healthchecks { api = "https://hc.example.org", api_key_file = "\(path)" }
            """)
        XCTAssertTrue(problems.first?.contains("site.lua:2:") ?? false, "\(problems)")
        XCTAssertTrue(problems.first?.contains("is readable by group or others (mode 644): chmod 600 it") ?? false, "\(problems)")
        XCTAssertFalse(problems.joined().contains(key))
        let typo = try n.f.problems("""
            local ns = require "nightshift"
            ns.notify.healthchecks { api = "https://hc.example.org", api_key = "\(path)" }
            """)
        XCTAssertTrue(typo.first?.contains("site.lua:2:") ?? false, "\(typo)")
    }
}
