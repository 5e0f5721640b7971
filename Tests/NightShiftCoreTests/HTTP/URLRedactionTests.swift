import XCTest
@testable import NightShiftCore

/// A URL is shown without what it carries as a credential.
final class URLRedactionTests: XCTestCase {
    func testUserinfoQueryAndSecretPathSegmentsAreMasked() {
        XCTAssertEqual(URLRedaction.redact("https://alice:s3cret@ntfy.example.org/backups?auth=tok123#x"),
                       "https://***@ntfy.example.org/backups?***")
        XCTAssertEqual(URLRedaction.redact("https://hc-ping.com/5f3a6c1e-8e9b-4a8e-9c1d-2b7e0c9f1a22/fail"),
                       "https://hc-ping.com/***/fail")
        XCTAssertEqual(URLRedaction.redact("https://hc-ping.com/ping/Zq3xK9pLm2Wv8rT1yU4oEa/nas-backup"),
                       "https://hc-ping.com/ping/***/nas-backup")
        XCTAssertEqual(URLRedaction.redact("https://hooks.example.com/services/T0001/B0002/abcdefghijklmnopqrstuvwx"),
                       "https://hooks.example.com/services/***/***/***")
        XCTAssertEqual(URLRedaction.redact("http://127.0.0.1:8080/api/v1/ping"), "http://127.0.0.1:8080/api/v1/ping")
    }

    func testURLsInsideTextAreFoundWhateverTheirCase() {
        let text = "posting to HTTPS://u:p@x.org/a1b2c3 and \"http://y.org/ok?k=v\" done"
        XCTAssertEqual(URLRedaction.redactURLs(in: text), "posting to HTTPS://***@x.org/*** and \"http://y.org/ok?***\" done")
        XCTAssertEqual(URLRedaction.redactURLs(in: "no urls, ssh://host/1 stays"), "no urls, ssh://host/1 stays")
    }
}
