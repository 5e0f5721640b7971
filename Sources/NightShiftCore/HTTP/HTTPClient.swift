import CCurl
import Foundation

/// One HTTP request for ``HTTPClient/send(_:interruption:)``.
public struct HTTPRequest: Sendable {
    /// An http:// or https:// URL.
    public var url: URL
    /// The method, upper case.
    public var method: String = "GET"
    /// Header fields.
    public var headers: [String: String] = [:]
    /// The body, if any.
    public var body: [UInt8]?
    /// The whole exchange ends after this many seconds.
    public var timeout: Double = 10
    /// Bytes of the response body kept; a longer body ends the transfer (`truncated`).
    public var maxBody: Int = 1 << 20

    /// Creates a request.
    public init(url: URL) { self.url = url }
}

/// What a server answered.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The body (at most the request's `maxBody` bytes).
    public var body: [UInt8]
    /// Header fields, names lower-cased.
    public var headers: [String: String]
    /// True when the body was longer than `maxBody` and the rest was not read.
    public var truncated: Bool
}

/// Why a request got no answer.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    /// In words.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// HTTP and HTTPS through libcurl, loaded on the first request (Sources/CCurl): a well-kept
/// client that costs no build time, where AsyncHTTPClient would add minutes of NIO to every
/// build, and no start-up time: FoundationNetworking's URLSession linked libcurl and its ~30
/// libraries into every process (7 ms and 6 MiB of each `nightshift` start).
public enum HTTPClient {
    /// Sends `request` and waits for the answer, the timeout or the interruption.
    public static func send(_ request: HTTPRequest, interruption: Interruption? = nil) throws -> HTTPResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPError("only http:// and https:// URLs are supported")
        }
        let exchange = Exchange(limit: request.maxBody, deadline: .now() + max(0, request.timeout), interruption: interruption)
        let headerLines = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        var status = 0
        var error = [CChar](repeating: 0, count: 512)
        let outcome = withCStrings(headerLines) { headers in
            withExtendedLifetime(exchange) {
                (request.body ?? []).withUnsafeBufferPointer { body in
                    var r = ns_http_request()
                    r.header_count = headers.count
                    r.body = request.body == nil ? nil : (body.baseAddress ?? UnsafePointer(bitPattern: 1))
                    r.body_length = body.count
                    // libcurl's own limit a little later than ours, so our deadline names the timeout.
                    r.timeout_ms = Int(max(0, request.timeout) * 1000) + 500
                    r.context = Unmanaged.passUnretained(exchange).toOpaque()
                    r.on_body = { context, data, length in
                        guard let context, let data else { return 0 }
                        return Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
                            .body(UnsafeRawBufferPointer(start: data, count: length)) ? 0 : 1
                    }
                    r.on_header = { context, data, length in
                        guard let context, let data else { return }
                        Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
                            .header(UnsafeRawBufferPointer(start: data, count: length))
                    }
                    r.should_stop = { context in
                        guard let context else { return 1 }
                        return Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue().shouldStop ? 1 : 0
                    }
                    return request.url.absoluteString.withCString { url in
                        request.method.withCString { method in
                            headers.withUnsafeBufferPointer { lines in
                                r.url = url
                                r.method = method
                                r.headers = lines.baseAddress
                                var code = 0
                                let outcome = ns_http_perform(&r, &code, &error, error.count)
                                status = code
                                return outcome
                            }
                        }
                    }
                }
            }
        }
        switch outcome {
        case NS_HTTP_DONE, NS_HTTP_BODY_STOPPED:
            return HTTPResponse(status: status, body: exchange.received, headers: exchange.headers, truncated: exchange.truncated)
        case NS_HTTP_STOPPED:
            if let interruption, interruption.isTriggered { throw InterruptedError(signal: interruption.signal ?? SIGTERM) }
            throw HTTPError(String(format: "no answer within %.3g s", request.timeout))
        default:
            // libcurl's own timeout, a moment after ours: the same answer.
            if DispatchTime.now() >= exchange.deadline { throw HTTPError(String(format: "no answer within %.3g s", request.timeout)) }
            throw HTTPError(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// `strings` as C strings for the duration of `body`.
    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}

/// One exchange's response as libcurl's callbacks deliver it, all on the calling thread.
private final class Exchange {
    let limit: Int
    let deadline: DispatchTime
    let interruption: Interruption?
    private(set) var received: [UInt8] = []
    private(set) var truncated = false
    private(set) var headers: [String: String] = [:]

    init(limit: Int, deadline: DispatchTime, interruption: Interruption?) {
        self.limit = limit
        self.deadline = deadline
        self.interruption = interruption
    }

    /// Keeps body bytes; false (stop) once the body is longer than the limit: the rest is never read.
    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let room = limit - received.count
        if bytes.count > room {
            received.append(contentsOf: bytes.prefix(max(0, room)))
            truncated = true
            return false
        }
        received.append(contentsOf: bytes)
        return true
    }

    /// One header line; a status line starts a new response (after a redirect), so the
    /// headers kept are the final response's. A repeated field is joined with ", ".
    func header(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return }
        headers[name] = headers[name].map { $0 + ", " + value } ?? value
    }

    /// Interrupted, or past the deadline.
    var shouldStop: Bool {
        (interruption?.isTriggered ?? false) || DispatchTime.now() >= deadline
    }
}
