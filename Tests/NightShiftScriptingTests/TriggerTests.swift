import Foundation
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// The default trigger (`nightshift/trigger.lua`) as the pure function it is: table-driven,
/// an injected clock, no network and no state file.
final class TriggerTests: XCTestCase {
    /// 2026-06-10 12:00 UTC, the "now" of every case unless it says otherwise.
    let now = 1_781_092_800.0
    let hour = 3_600.0

    struct Case {
        let name: String
        /// Lua table fields of the input, besides now/watched/sweeps defaults.
        let input: String
        let run: Bool
        /// A piece of the reason.
        let reason: String
        var windowKey: Double? = nil
    }

    private func decide(_ fields: String) throws -> (run: Bool, reason: String, key: Double?) {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let code = """
            local input = { now = \(now), watched = { "pc1", "pc2" }, offline_sweeps = 1, min_interval = 43200, max_attempts = 3,
              sweeps = { { pc1 = { up = false }, pc2 = { up = false } } } }
            for k, v in pairs({ \(fields) }) do input[k] = v end
            local d = core.trigger.decide(input)
            return d.run, d.reason, d.window_key
            """
        let r = try rt.executeWithCore(code)
        return (r[0].isTruthy, r[1].stringValue ?? "", r.count > 2 ? r[2].doubleValue : nil)
    }

    /// A window table as core.window gives it: inside, opened `openedAgo` seconds before now.
    private func inside(openedAgo: Double, length: Double = 2 * 3_600) -> String {
        "{ text = \"03:00-05:00\", inside = true, start = \(now - openedAgo), [\"end\"] = \(now - openedAgo + length), next = \(now - openedAgo + 86_400) }"
    }

    private func outside(opensIn: Double) -> String {
        "{ text = \"03:00-05:00\", inside = false, next = \(now + opensIn) }"
    }

    func testEveryBranch() throws {
        let up = "sweeps = { { pc1 = { up = true }, pc2 = { up = false } } }"
        let unknown = "sweeps = { { pc1 = { up = false, unknown = true, error = \"sendto: Network is unreachable\" }, pc2 = { up = false } } }"
        let cases: [Case] = [
            Case(name: "all offline", input: "", run: true, reason: "all 2 watched hosts offline for 1 sweep"),
            Case(name: "one online", input: up, run: false, reason: "1 of 2 watched hosts online: pc1"),
            Case(name: "unknown is never offline", input: unknown, run: false, reason: "cannot tell whether pc1 is online"),
            Case(name: "not probed is unknown", input: "sweeps = { { pc2 = { up = false } } }", run: false, reason: "cannot tell whether pc1"),
            Case(name: "no sweep", input: "sweeps = {}", run: false, reason: "no sweep yet"),
            Case(name: "no watched hosts", input: "watched = {}", run: true, reason: "no watched hosts"),
            Case(name: "hysteresis not yet", input: "offline_sweeps = 2", run: false, reason: "offline for 1 of 2 sweeps"),
            Case(name: "hysteresis met",
                 input: "offline_sweeps = 2, sweeps = { { pc1 = { up = false }, pc2 = { up = false } }, { pc1 = { up = false }, pc2 = { up = false } } }",
                 run: true, reason: "offline for 2 sweeps"),
            Case(name: "hysteresis broken by an unknown sweep",
                 input: "offline_sweeps = 2, sweeps = { { pc1 = { unknown = true }, pc2 = { up = false } }, { pc1 = { up = false }, pc2 = { up = false } } }",
                 run: false, reason: "offline for 1 of 2 sweeps"),
            Case(name: "manual beats everything", input: "manual = true, \(up), night = { failed_attempts = 9, first_failed = \(now - 60), last_good_automatic = \(now - 60) }",
                 run: true, reason: "manual run"),
            Case(name: "min_interval blocks", input: "night = { last_good_automatic = \(now - 2 * hour) }", run: false,
                 reason: "the last good night ended 2h 00m ago (min_interval 12h 00m)"),
            Case(name: "min_interval passed", input: "night = { last_good_automatic = \(now - 13 * hour) }", run: true, reason: "offline"),
            Case(name: "min_interval 0", input: "min_interval = 0, night = { last_good_automatic = \(now - 60) }", run: true, reason: "offline"),
            Case(name: "a last night in the future never blocks", input: "night = { last_good_automatic = \(now + 5 * hour) }", run: true, reason: "offline"),
            Case(name: "retry after a failed night", input: "night = { failed_attempts = 1, first_failed = \(now - hour) }", run: true,
                 reason: "(retry 2 of 3)"),
            Case(name: "attempts used up", input: "night = { failed_attempts = 3, first_failed = \(now - hour) }", run: false,
                 reason: "3 failed nights in a row (max_attempts 3)"),
            Case(name: "attempts used up: next window named", input: "window = \(outside(opensIn: 15 * hour)), night = { failed_attempts = 3, first_failed = \(now - hour) }",
                 run: false, reason: "next try when the force window opens"),
            Case(name: "a new series after min_interval", input: "night = { failed_attempts = 3, first_failed = \(now - 13 * hour) }", run: true, reason: "offline"),
            Case(name: "max_attempts 1", input: "max_attempts = 1, night = { failed_attempts = 1, first_failed = \(now - hour) }", run: false,
                 reason: "1 failed night in a row"),
            Case(name: "window forces despite users", input: "\(up), window = \(inside(openedAgo: 600))", run: true,
                 reason: "inside force window 03:00-05:00 (not yet backed up in it)", windowKey: now - 600),
            Case(name: "window used by a good night", input: "\(up), window = \(inside(openedAgo: 600)), night = { window_used = \(now - 600) }",
                 run: false, reason: "already used tonight"),
            Case(name: "window used yesterday is open today", input: "\(up), window = \(inside(openedAgo: 600)), night = { window_used = \(now - 600 - 86400) }",
                 run: true, reason: "inside force window", windowKey: now - 600),
            Case(name: "window retried after a failed night in it",
                 input: "\(up), window = \(inside(openedAgo: 1200)), night = { failed_attempts = 1, first_failed = \(now - 900) }",
                 run: true, reason: "(retry 2 of 3)", windowKey: now - 1200),
            Case(name: "a new window starts a new series",
                 input: "\(up), window = \(inside(openedAgo: 600)), night = { failed_attempts = 3, first_failed = \(now - 5 * hour) }",
                 run: true, reason: "inside force window", windowKey: now - 600),
            Case(name: "window with an unknown host still forces", input: "\(unknown), window = \(inside(openedAgo: 60))", run: true,
                 reason: "inside force window", windowKey: now - 60),
            Case(name: "window and min_interval", input: "\(up), window = \(inside(openedAgo: 60)), night = { last_good_automatic = \(now - hour) }",
                 run: false, reason: "min_interval"),
            Case(name: "offline inside the window keys it", input: "window = \(inside(openedAgo: 60))", run: true, reason: "offline", windowKey: now - 60),
            Case(name: "outside the window", input: "\(up), window = \(outside(opensIn: 2 * hour))", run: false,
                 reason: "force window 03:00-05:00 opens in 2h 00m"),
        ]
        for c in cases {
            let d = try decide(c.input)
            XCTAssertEqual(d.run, c.run, "\(c.name): \(d.reason)")
            XCTAssertTrue(d.reason.contains(c.reason), "\(c.name): \"\(d.reason)\" lacks \"\(c.reason)\"")
            XCTAssertEqual(d.key, c.windowKey, "\(c.name): window key")
        }
    }
}
