import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

/// HTTP and HTTPS through FoundationNetworking's URLSession (libcurl underneath): a well-kept
/// client that costs no build time, where AsyncHTTPClient would add minutes of NIO to every build.
public enum HTTPClient {
    /// Sends `request` and waits for the answer, the timeout or the interruption.
    public static func send(_ request: HTTPRequest, interruption: Interruption? = nil) throws -> HTTPResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPError("only http:// and https:// URLs are supported")
        }
        var r = URLRequest(url: request.url)
        r.httpMethod = request.method
        // URLSession on Linux truncates fractional timeouts (0.99 s fails at once): it gets whole
        // seconds with a margin, and the exact deadline is kept by the wait below.
        r.timeoutInterval = (max(0, request.timeout)).rounded(.up) + 1
        for (k, v) in request.headers { r.setValue(v, forHTTPHeaderField: k) }
        if let body = request.body { r.httpBody = Data(body) }
        let collector = Collector(limit: request.maxBody)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = r.timeoutInterval
        configuration.timeoutIntervalForResource = r.timeoutInterval
        let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: r)
        task.resume()
        let deadline = DispatchTime.now() + request.timeout
        // Short waits, so SIGINT/SIGTERM end the request within a tenth of a second.
        while collector.done.wait(timeout: min(deadline, .now() + 0.1)) == .timedOut {
            if let interruption, interruption.isTriggered {
                task.cancel()
                throw InterruptedError(signal: interruption.signal ?? SIGTERM)
            }
            if DispatchTime.now() >= deadline {
                task.cancel()
                throw HTTPError(String(format: "no answer within %.3g s", request.timeout))
            }
        }
        return try collector.result()
    }
}

/// Gathers one response on URLSession's queue; the lock hands it to the waiting thread.
private final class Collector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let limit: Int
    private var response: HTTPURLResponse?
    private var body: [UInt8] = []
    private var truncated = false
    private var failure: (any Error)?

    init(limit: Int) { self.limit = limit }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.withLock { self.response = response as? HTTPURLResponse }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let stop = lock.withLock { () -> Bool in
            let room = limit - body.count
            if data.count > room {
                body.append(contentsOf: data.prefix(max(0, room)))
                truncated = true
                return true
            }
            body.append(contentsOf: data)
            return false
        }
        // A bounded body: the rest is never read into memory.
        if stop { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.withLock { if !truncated { failure = error } }
        done.signal()
    }

    func result() throws -> HTTPResponse {
        try lock.withLock {
            if let failure { throw HTTPError(failure.localizedDescription) }
            guard let response else { throw HTTPError("no response") }
            var headers: [String: String] = [:]
            for (k, v) in response.allHeaderFields {
                if let k = k as? String { headers[k.lowercased()] = "\(v)" }
            }
            return HTTPResponse(status: response.statusCode, body: body, headers: headers, truncated: truncated)
        }
    }
}
