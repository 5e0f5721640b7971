import Foundation
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// A host that answers no SNTP (Windows: UDP 123 closed) is read with its get_time action
/// after one short SNTP try, and later readings skip SNTP. Sends SNTP packets to loopback,
/// so it runs only in a private namespace (scripts/test-network), where nothing serves 123.
final class WindowsSNTPFallbackTests: XCTestCase {
    func testASilentHostIsReadWithGetTimeAndSNTPIsTriedOnce() throws {
        guard ProcessInfo.processInfo.environment["NIGHTSHIFT_PRIVATE_NETNS"] == "1" else {
            throw XCTSkip("sends SNTP to loopback: run in a private namespace (scripts/test-network WindowsSNTPFallbackTests)")
        }
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas" }
            host "Nas" { time_source = true }
            host "Win" { ip = "127.0.0.1", mac = "AA-BB-CC-DD-EE-09", actions = {
              get_time = { "sh", "-c", [[echo x >> \(f.dir)/reads; date +%s.%N | awk '{{ printf "%.3f\\n", $1 + 100 }}']] },
              set_time = { "sh", "-c", "echo {offset} >> \(f.dir)/offsets" },
            } }
            job "J" { source = "Nas", target = "Win", run = { "true" }, time_sync = "auto" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let started = Date()
        let r = try rt.executeWithCore("""
            local night = core.new_night({ Win = { up = false } }, true, { hosts = {} })
            return night:sync_time(core.config.jobs.J)
            """)
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(r.first, .boolean(true), "\(r) \(f.logText)")
        let log = f.logText
        // One SNTP try, then get_time before and after the set: the second reading does not wait.
        XCTAssertEqual(log.components(separatedBy: "answers no SNTP").count - 1, 1, log)
        let reads = (try? String(contentsOfFile: f.dir + "/reads", encoding: .utf8))?.split(separator: "\n").count
        XCTAssertEqual(reads, 2, log)
        let offsets = ((try? String(contentsOfFile: f.dir + "/offsets", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Double($0) }
        XCTAssertEqual(offsets.count, 1, log)
        XCTAssertEqual(offsets.first ?? 0, -100, accuracy: 1, log)
        // Not two 3 s SNTP timeouts: at most one short try (1 s) and the local programs.
        XCTAssertLessThan(took, 6, log)
    }
}
