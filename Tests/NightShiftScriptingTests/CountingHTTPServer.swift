import Foundation
import XCTest

/// An HTTP server on 127.0.0.1 (python3's http.server), started by a test, that records
/// every request (method, path, body) as a JSON line. Paths choose the answer:
/// `/status/N` answers N, `/hang` never answers, `/big` sends 3 MiB, `/slow/N` answers 200
/// after N seconds, anything else 200 "ok". `answered.jsonl` records when each answer was sent.
final class CountingHTTPServer {
    let process = Process()
    let dir: String
    private(set) var port = 0

    static let script = #"""
    import http.server, json, sys, time, os
    log_path, port_path = sys.argv[1], sys.argv[2]
    fixed_port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    class H(http.server.BaseHTTPRequestHandler):
        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
            with open(log_path, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "body": body,
                                    "headers": dict(self.headers)}) + "\n")
            if self.path == "/hang":
                time.sleep(120)
                return
            if self.path.startswith("/slow/"):
                time.sleep(float(self.path.split("/")[2]))
            code, data = 200, b"ok"
            if self.path.startswith("/status/"):
                code = int(self.path.split("/")[2])
            if self.path == "/big":
                data = b"x" * (3 << 20)
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Test", "yes")
            self.end_headers()
            try:
                self.wfile.write(data)
                self.wfile.flush()
            except BrokenPipeError:
                pass
            with open(os.path.join(os.path.dirname(log_path), "answered.jsonl"), "a") as f:
                f.write(json.dumps({"path": self.path, "time": time.time()}) + "\n")
        do_GET = do_POST = do_PUT = handle_any
        def log_message(self, *a):
            pass
    s = http.server.ThreadingHTTPServer(("127.0.0.1", fixed_port), H)
    with open(port_path + ".tmp", "w") as f:
        f.write(str(s.server_address[1]))
    os.rename(port_path + ".tmp", port_path)
    s.serve_forever()
    """#

    /// Starts the server in `dir`; `port` 0 picks a free one, another port brings a stopped server back.
    init(in dir: String, port fixedPort: Int = 0) throws {
        self.dir = dir
        guard ScriptTool.which("python3") != nil else { throw XCTSkip("python3 is not installed: no local HTTP server for this test") }
        let scriptPath = dir + "/server.py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        try? FileManager.default.removeItem(atPath: dir + "/port")
        process.arguments = ["python3", scriptPath, dir + "/requests.jsonl", dir + "/port", "\(fixedPort)"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: dir + "/port", encoding: .utf8), let p = Int(text) {
                port = p
                return
            }
            usleep(20_000)
        }
        throw XCTSkip("the local HTTP server did not start within 20 s")
    }

    deinit { stop() }

    /// Ends the server (its port is then closed: a dead endpoint) and waits until it is gone.
    func stop() {
        guard process.processIdentifier != 0 else { return } // never started
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// When each answer was sent (epoch seconds) and to which path, in order.
    var answered: [(path: String, time: Double)] {
        guard let text = try? String(contentsOfFile: dir + "/answered.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            guard let o = try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any],
                  let path = o["path"] as? String, let time = o["time"] as? Double else { return nil }
            return (path, time)
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request so far, in order.
    var requests: [[String: Any]] {
        guard let text = try? String(contentsOfFile: dir + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The paths requested so far, in order.
    var paths: [String] { requests.compactMap { $0["path"] as? String } }
}

/// Programs on PATH, for tests that need a tool.
enum ScriptTool {
    /// The full path of `name` on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
