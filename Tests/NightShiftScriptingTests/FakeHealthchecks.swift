import Foundation
import XCTest

/// A local server on 127.0.0.1 that answers like Healthchecks' Management API v3 and ping
/// endpoints (as its API docs describe them): `POST /api/v3/checks/` with `X-Api-Key` creates a
/// check (201) or, with `unique: ["name"]` matching one, updates it (200), answering the check
/// as JSON with its `ping_url`; a wrong key is 401. `/ping/<uuid>[/start|/fail]` answers "OK".
/// Every request is recorded (method, path, headers, body).
final class FakeHealthchecks {
    let process = Process()
    let dir: String
    private(set) var port = 0

    static let script = #"""
    import http.server, json, sys, uuid, os
    log_path, port_path, key = sys.argv[1], sys.argv[2], sys.argv[3]
    checks = {}
    class H(http.server.BaseHTTPRequestHandler):
        def answer(self, code, obj):
            data = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
            self.send_response(code)
            self.send_header("Content-Type", "application/json" if not isinstance(obj, bytes) else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
            with open(log_path, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "body": body,
                                    "headers": dict(self.headers)}) + "\n")
            base = "http://127.0.0.1:%d" % self.server.server_address[1]
            if self.path == "/api/v3/checks/":
                if self.headers.get("X-Api-Key") != key:
                    return self.answer(401, {"error": "wrong api key"})
                req = json.loads(body)
                unique = req.pop("unique", [])
                found = [c for c in checks.values() if unique and all(c.get(f) == req.get(f) for f in unique)]
                code = 200 if found else 201
                c = found[0] if found else {"uuid": str(uuid.uuid4()), "n_pings": 0, "status": "new"}
                if "schedule" in req: c.pop("timeout", None)
                if "timeout" in req: c.pop("schedule", None); c.pop("tz", None)
                c.update(req)
                checks[c["uuid"]] = c
                out = dict(c)
                out["ping_url"] = base + "/ping/" + c["uuid"]
                out["update_url"] = base + "/api/v3/checks/" + c["uuid"]
                return self.answer(code, out)
            parts = self.path.split("/")
            if len(parts) >= 3 and parts[1] == "ping" and parts[2] in checks:
                return self.answer(200, b"OK")
            return self.answer(404, b"not found")
        do_GET = do_HEAD = do_POST
        def log_message(self, *a):
            pass
    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(port_path + ".tmp", "w") as f:
        f.write(str(s.server_address[1]))
    os.rename(port_path + ".tmp", port_path)
    s.serve_forever()
    """#

    /// Starts the server in `dir`; it accepts the API key `key`.
    init(in dir: String, key: String) throws {
        self.dir = dir
        guard ScriptTool.which("python3") != nil else { throw XCTSkip("python3 is not installed: no local Healthchecks for this test") }
        try Self.script.write(toFile: dir + "/hc.py", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", dir + "/hc.py", dir + "/hc-requests.jsonl", dir + "/hc-port", key]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        guard eventually(within: 20, {
            if let text = try? String(contentsOfFile: dir + "/hc-port", encoding: .utf8), let p = Int(text) { self.port = p }
            return self.port != 0
        }) else { throw XCTSkip("the local Healthchecks did not start within 20 s") }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// `http://127.0.0.1:PORT`.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Every request so far, in order.
    var requests: [[String: Any]] {
        guard let text = try? String(contentsOfFile: dir + "/hc-requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The JSON bodies of the upserts so far.
    var upserts: [[String: Any]] {
        requests.filter { $0["path"] as? String == "/api/v3/checks/" }.compactMap {
            try? JSONSerialization.jsonObject(with: Data(($0["body"] as? String ?? "").utf8)) as? [String: Any]
        }
    }

    /// The ping paths so far, with the check's uuid replaced by `names[uuid]`.
    func pings(named names: [String: String]) -> [String] {
        requests.compactMap { $0["path"] as? String }.filter { $0.hasPrefix("/ping/") }.map { path in
            var p = path
            for (uuid, name) in names { p = p.replacingOccurrences(of: uuid, with: name) }
            return p
        }
    }
}
