import Foundation
import XCTest

/// A self-only site (this machine is the only host, so no packet is sent) whose nights the
/// tests run with the real binary: `nightshift run site.lua --once --manual`.
struct ObservedNight {
    let f: ScriptFixture

    /// A folder with `n` small files, for rsync to copy.
    func sourceFolder(_ name: String, files n: Int) throws -> String {
        let dir = f.dir + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for i in 0..<n { try "file \(i)\n".write(toFile: "\(dir)/f\(i).txt", atomically: true, encoding: .utf8) }
        return dir
    }

    /// An rsync job copying `from` to a fresh target folder, with --stats.
    func rsyncJob(_ name: String, from: String, extra: String = "") -> String {
        """
        job "\(name)" { source = "Nas", target = "Nas", time_sync = "none", \(extra)
          run = { "rsync", "-a", "--stats", "\(from)/", "\(f.dir)/target-\(name)/" } }

        """
    }

    /// A job that fails with exit 3.
    func failingJob(_ name: String) -> String {
        """
        job "\(name)" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "exit 3" } }

        """
    }

    /// Writes site.lua: the settings line, then `body`.
    @discardableResult
    func site(settings: String = "", _ body: String) throws -> String {
        try f.write("site.lua", """
            local ns = require "nightshift"
            settings { self = "Nas", check_every = "1h"\(settings.isEmpty ? "" : ", " + settings) }
            host "Nas" { }
            \(body)
            """)
    }

    /// Runs one manual night; returns its exit code (nil: it did not end within 60 s).
    func night(_ extra: [String] = []) throws -> Int32? {
        try run(["run", f.dir + "/site.lua", "--once", "--manual"] + extra).code
    }

    /// Runs `nightshift ARGS`; returns the exit code and what it printed.
    func run(_ args: [String], within seconds: Double = 60) throws -> (code: Int32?, output: String) {
        let p = try NightshiftProcess(args, in: f.dir)
        let code = p.exitCode(within: seconds)
        return (code, p.output)
    }

    /// The night's log file.
    var log: String { (try? String(contentsOfFile: f.dir + "/nightshift.log", encoding: .utf8)) ?? "" }

    /// state.json as JSON.
    func state() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: f.dir + "/state/state.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
