import LuaBinding
@testable import NightShiftScripting
import XCTest

/// `ns.http`: requests to a local server on 127.0.0.1 that the test starts and that counts them.
final class HTTPPrimitiveTests: XCTestCase {
    func testGetAndPostReturnStatusBodyAndHeaders() throws {
        let f = try ScriptFixture()
        let server = try CountingHTTPServer(in: f.dir)
        let rt = try f.runtime()
        let r = try rt.lua.execute("""
            local a = ns.http{url = "\(server.url("/hello"))"}
            local b = ns.http{url = "\(server.url("/status/503"))", method = "post", body = "payload",
              headers = {["X-Who"] = "test"}}
            return a.ok, a.status, a.body, a.headers["x-test"], b.ok, b.status
            """)
        XCTAssertEqual(r, [true, 200, "ok", "yes", false, 503])
        let requests = server.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests.last?["method"] as? String, "POST")
        XCTAssertEqual(requests.last?["body"] as? String, "payload")
        XCTAssertEqual((requests.last?["headers"] as? [String: String])?["X-Who"], "test")
    }

    func testAServerThatNeverAnswersEndsWithinTheTimeoutAsNilAndAnError() throws {
        let f = try ScriptFixture()
        let server = try CountingHTTPServer(in: f.dir)
        let rt = try f.runtime()
        let r = try rt.lua.execute("""
            local t0 = ns.now()
            local r, err = ns.http{url = "\(server.url("/hang"))", timeout = 1}
            return r == nil, type(err), ns.now() - t0
            """)
        XCTAssertEqual(r[0], true)
        XCTAssertEqual(r[1], "string")
        XCTAssertLessThan(r[2].doubleValue ?? 99, 6, "a 1 s timeout took \(r[2])")
    }

    func testTheBodyIsBounded() throws {
        let f = try ScriptFixture()
        let server = try CountingHTTPServer(in: f.dir)
        let rt = try f.runtime()
        let r = try rt.lua.execute("""
            local r = ns.http{url = "\(server.url("/big"))"}
            return r.status, #r.body, r.truncated
            """)
        XCTAssertEqual(r, [200, .integer(1 << 20), true])
    }

    func testAClosedPortIsAValueNotAnError() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let r = try rt.lua.execute("""
            local r, err = ns.http{url = "http://127.0.0.1:1/", timeout = 5}
            return r == nil, type(err)
            """)
        XCTAssertEqual(r, [true, "string"])
    }

    func testBadArgumentsReadLikeLuasOwn() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        XCTAssertThrowsError(try rt.lua.execute(#"return ns.http{url = "ftp://x/"}"#)) { error in
            XCTAssertTrue("\(error)".contains(#"bad argument #1 to 'http' (invalid URL "ftp://x/""#), "\(error)")
        }
        XCTAssertThrowsError(try rt.lua.execute(#"return ns.http{uri = "http://x/"}"#)) { error in
            XCTAssertTrue("\(error)".contains("bad argument #1 to 'http'"), "\(error)")
        }
    }

    func testDryRunSendsNothing() throws {
        let f = try ScriptFixture()
        let server = try CountingHTTPServer(in: f.dir)
        let rt = try f.runtime(ScriptOptions(dryRun: true))
        let r = try rt.lua.execute("""
            local r = ns.http{url = "\(server.url("/x"))", method = "POST", body = "b"}
            return r.ok, r.dry_run
            """)
        XCTAssertEqual(r, [true, true])
        XCTAssertEqual(server.requests.count, 0)
        let log = try String(contentsOfFile: f.dir + "/test.log", encoding: .utf8)
        XCTAssertTrue(log.contains("DRY-RUN would send HTTP POST \(server.url("/x"))"), log)
    }

    func testATimeLimitedHookEndsTheRequestWithTheHook() throws {
        let f = try ScriptFixture()
        let server = try CountingHTTPServer(in: f.dir)
        let rt = try f.runtime()
        let r = try rt.executeWithCore("""
            local t0 = ns.now()
            local ok, r, err = core.bounded(1.5, "handler", function()
              return ns.http{url = "\(server.url("/hang"))", timeout = 60}
            end)
            return ok, ns.now() - t0, tostring(err)
            """)
        // The request ends with the hook's time (the hook timed out), not after its own 60 s.
        XCTAssertEqual(r[0], false, "\(r)")
        XCTAssertEqual(r[2], "true", "not ended as a timeout: \(r)")
        XCTAssertGreaterThan(r[1].doubleValue ?? 0, 1.3, "\(r)")
        XCTAssertLessThan(r[1].doubleValue ?? 99, 6, "\(r)")
    }
}
