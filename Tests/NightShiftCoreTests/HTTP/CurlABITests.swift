import CCurl
import XCTest

/// curl.c is built without libcurl's headers, so the option numbers it passes were copied by
/// hand: held here against the installed libcurl's own option table (the build holds them
/// against <curl/curl.h> where the headers are installed).
final class CurlABITests: XCTestCase {
    func testTheCopiedOptionNumbersAreLibcurls() throws {
        var failure = [CChar](repeating: 0, count: 256)
        let status = ns_curl_abi_check(&failure, failure.count)
        let why = String(decoding: failure.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if status == 2 { throw XCTSkip("cannot compare: \(why)") }
        XCTAssertEqual(status, 0, why)
    }
}
