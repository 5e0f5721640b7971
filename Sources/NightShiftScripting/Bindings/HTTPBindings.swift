import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `ns.http{url=, method=, headers=, body=, timeout=}`: one HTTP(S) request.
enum HTTPBindings {
    static let options: Set<String> = ["url", "method", "headers", "body", "timeout"]

    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.add("http") { args in
            let o = try args.options(1, allowed: options)
            guard let text = try o.string("url") else { throw args.error(1, "field 'url' is required") }
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil else {
                throw args.error(1, "invalid URL \"\(URLRedaction.redact(text))\" (http:// or https:// expected)")
            }
            let method = (try o.string("method") ?? "GET").uppercased()
            guard !method.isEmpty, method.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || $0 == 45 }) else {
                throw args.error(1, "invalid method \"\(method)\"")
            }
            var request = HTTPRequest(url: url)
            request.method = method
            request.headers = try o.stringMap("headers") ?? [:]
            if o.has("body") {
                guard let bytes = o.table["body"].bytesValue else { throw args.error(1, "field 'body' must be a string") }
                request.body = bytes
            }
            // Inside a time-limited hook (a notification handler) the request ends with the hook.
            request.timeout = max(0.001, context.bounded(try o.nonNegative("timeout", maximum: DurationText.maximum) ?? 10))
            if context.options.dryRun {
                context.dryRun("send HTTP \(method) \(URLRedaction.redact(text))\(request.body.map { " (\($0.count) bytes)" } ?? "")")
                return [.table(LuaTable(["ok": true, "status": 200, "body": "", "headers": .table(LuaTable()), "dry_run": true]))]
            }
            context.log.file("http: \(method) \(URLRedaction.redact(text))")
            do {
                let r = try HTTPClient.send(request, interruption: context.interruption)
                var headers = LuaTable()
                for (k, v) in r.headers { headers[.string(k)] = .string(v) }
                var t = LuaTable([
                    "ok": .boolean((200..<300).contains(r.status)), "status": .integer(Int64(r.status)),
                    "body": .fromBytes(r.body), "headers": .table(headers),
                ])
                if r.truncated { t["truncated"] = true }
                return [.table(t)]
            } catch is InterruptedError {
                try context.checkInterrupted()
                throw LuaRuntimeError("interrupted")
            } catch {
                try context.checkInterrupted()
                return [.nil, .string("\(error)")]
            }
        }
    }
}
