import Foundation
import LuaBinding
import NightShiftCore
@testable import NightShiftScripting
import XCTest

/// Rules that once lived in two homes and disagreed: `nightshift check` (dsl.lua) and the
/// primitive that later gets the value now ask one home, so for every value both accept or
/// both refuse. No call here sends a packet or starts a program: a value the option check
/// passes meets a bad first argument (or a bad later option) and raises that instead.
final class TwoHomesRuleTests: XCTestCase {
    private func raised(_ f: ScriptFixture, _ call: String) throws -> String { try f.raised(call) }

    /// "10 years" is one constant: a duration `check` passes as `wake_timeout`, `ns.wait_up`
    /// takes as its `timeout`, and one `check` refuses, `ns.wait_up` refuses too.
    func testTenYearsIsOneLengthForCheckAndWaitUp() throws {
        let f = try ScriptFixture()
        XCTAssertEqual(OptionCheck.maxSeconds, DurationText.maximum)
        // 3651d was accepted by check and refused by ns.wait_up (365 against 365.25 days).
        for days in ["3650d", "3651d", "3652d", "3653d", "3700d"] {
            let seconds = Double(days.dropLast())! * 86_400
            let dsl = try f.problems("settings { wake_timeout = \"\(days)\" }")
            // 42 is no target: when the timeout passes, the call raises about argument #1.
            let primitive = try raised(f, "ns.wait_up(42, {timeout = \(seconds)})")
            let primitiveAccepts = primitive.contains("bad argument #1")
            XCTAssertTrue(primitiveAccepts || primitive.contains("field 'timeout' must be at most"), "\(days): \(primitive)")
            XCTAssertEqual(dsl.isEmpty, primitiveAccepts, "\(days): check says \(dsl), ns.wait_up says \(primitive)")
        }
        XCTAssertEqual(try f.problems("settings { wake_timeout = \"3652d\" }"), [])
        XCTAssertNotEqual(try f.problems("settings { wake_timeout = \"3653d\" }"), [])
    }

    /// A time limit of 0 is refused by both a job's `timeout` and `ns.exec`, in the same words.
    func testAZeroTimeoutIsRefusedByTheJobAndByExec() throws {
        let f = try ScriptFixture()
        let job = """
            host "A" { ip = "10.0.0.1", mac = "02:00:00:00:00:01" }
            host "B" { ip = "10.0.0.2", mac = "02:00:00:00:00:02" }
            job "J" { source = "A", target = "B", run = { "true" }, timeout = %@ }
            """
        let requirement = "must be more than 0 seconds (leave timeout out for no limit)"
        for value in ["0", "-1", "\"0s\""] {
            let p = try f.problems(job.replacingOccurrences(of: "%@", with: value))
            XCTAssertEqual(p.count, 1, "\(value): \(p)")
            if value != "-1" { XCTAssertTrue(p.first?.hasSuffix("timeout: " + requirement) == true, "\(value): \(p)") }
        }
        XCTAssertTrue(try raised(f, "ns.exec({'true'}, {timeout = 0})")
            .hasSuffix("bad argument #2 to 'exec' (field 'timeout' \(requirement))"))
        XCTAssertTrue(try raised(f, "ns.exec({'true'}, {timeout = -1})").contains("field 'timeout' must be more than 0 seconds"))
        // A good limit passes both: the exec call gets as far as its (bad) log option.
        XCTAssertEqual(try f.problems(job.replacingOccurrences(of: "%@", with: "0.5")), [])
        XCTAssertTrue(try raised(f, "ns.exec({'true'}, {timeout = 0.5, log = 'nowhere'})").contains("field 'log'"))
    }

    /// One parser for a probe: whatever `ProbeMethod` reads, a host's `probe` takes, and the rest
    /// both refuse (`tcp:+80` passed `ProbeMethod` while the DSL refused it).
    func testProbeSpellingsAreTheOnesProbeMethodReads() throws {
        let f = try ScriptFixture()
        let spellings = ["icmp", "arp", "auto", "tcp:80", "tcp:1", "tcp:65535", "tcp:0080", "tcp:+80", "tcp:-80", "tcp: 80",
                         "tcp:0", "tcp:65536", "tcp:", "tcp:80 ", "tcp:٨٠", "TCP:80", "icmp ", "udp:53"]
        for text in spellings {
            let swift = ProbeMethod(parsing: text) != nil
            let dsl = try f.problems("host \"A\" { ip = \"10.0.0.1\", probe = \(luaQuoted(text)) }").isEmpty
            // 42 is no target: a probe the option check passes raises about argument #1.
            let primitive = try raised(f, "ns.ping(42, {probe = \(luaQuoted(text))})").contains("bad argument #1")
            XCTAssertEqual(dsl, swift, "host probe \(text)")
            XCTAssertEqual(primitive, swift, "ns.ping probe \(text)")
        }
        XCTAssertNil(ProbeMethod(parsing: "tcp:+80"))
        XCTAssertEqual(ProbeMethod(parsing: "tcp:0080"), .tcp(80))
    }

    /// One detector for the copy tool: the exit codes a job's run is judged by are those of the
    /// tool `core.summary.tool` names, the same one whose counts the summary reads.
    func testTheCopyToolIsDetectedOnce() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let runs = [#"{"rsync", "-a"}"#, #"{"/usr/bin/rsync", "-a"}"#, #"{"nice", "-n", "10", "rsync", "-a"}"#,
                    #"{"ssh", "nas", "rsync", "-a"}"#, #"{"FreeFileSync", "job.ffs_batch"}"#, #"{"/opt/FreeFileSync/FreeFileSync_x64"}"#,
                    #"{"my-rsync-wrapper"}"#, #"{"cp", "-a"}"#, #""rsync -a /a /b""#, #""nice rsync -a""#]
        for run in runs {
            let r = try rt.executeWithCore("""
                local job = { run = \(run) }
                local tool = core.summary.tool(job) or "plain"
                -- exit 23 is rsync's "partial transfer", exit 1 FreeFileSync's "warnings".
                local r23 = core.classify(job, { code = 23, seconds = 1, stderr = "" })
                local r1 = core.classify(job, { code = 1, seconds = 1, stderr = "" })
                return tool, r23, r1
                """)
            let tool = r.first?.stringValue ?? "?"
            let expected: [String: (String, String)] = ["rsync": ("warning", "failed"), "freefilesync": ("failed", "warning"),
                                                        "plain": ("failed", "failed")]
            guard let want = expected[tool] else { XCTFail("\(run): tool \(tool)"); continue }
            XCTAssertEqual(r.dropFirst().map { $0.stringValue ?? "?" }, [want.0, want.1], "\(run) (\(tool))")
        }
        let nice = try rt.executeWithCore(#"return core.summary.tool({ run = {"nice", "rsync"} })"#)
        XCTAssertEqual(nice.first?.stringValue, "rsync")
        withExtendedLifetime(rt) {}
    }

    /// The `exit_codes` presets have one home (`core.summary.presets`): every name `check`
    /// takes is one the night judges a run by, and `check` names exactly those.
    func testTheExitCodePresetsAreTheOnesTheNightJudgesBy() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let names = try rt.executeWithCore("return table.concat(core.summary.preset_names, ',')").first?.stringValue ?? ""
        XCTAssertEqual(names, "plain,rsync,freefilesync")
        let job = """
            host "A" { ip = "10.0.0.1", mac = "02:00:00:00:00:01" }
            job "J" { source = "A", target = "A", run = { "true" }, time_sync = "none", exit_codes = %@ }
            """
        for name in names.split(separator: ",") {
            XCTAssertEqual(try f.problems(job.replacingOccurrences(of: "%@", with: "\"\(name)\"")), [], "\(name)")
            let judged = try rt.executeWithCore("""
                local job = { run = { "cp" }, exit_codes = "\(name)" }
                return (core.classify(job, { code = 0, seconds = 1, stderr = "" })), (core.classify(job, { code = 2, seconds = 1, stderr = "" }))
                """)
            XCTAssertEqual(judged.map { $0.stringValue ?? "?" }, ["ok", "failed"], "\(name)")
        }
        let typo = try f.problems(job.replacingOccurrences(of: "%@", with: "\"rsnyc\""))
        XCTAssertTrue(typo.first?.hasSuffix("exit_codes: one of plain | rsync | freefilesync expected, got \"rsnyc\"; did you mean \"rsync\"?") == true, "\(typo)")
        let number = try f.problems(job.replacingOccurrences(of: "%@", with: "5"))
        XCTAssertTrue(number.first?.hasSuffix("exit_codes: \"plain\", \"rsync\", \"freefilesync\" or {ok={...}, warning={...}} expected, got number") == true,
                      "\(number)")
        withExtendedLifetime(rt) {}
    }

    /// The event names are one list (`core.events`, dsl.lua): every event `on` takes, a
    /// notification's `on` takes, and a name one refuses, the other refuses with the same hint.
    func testTheEventsAreOneListForOnAndNotifications() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let events = try rt.executeWithCore("return table.concat(core.events, ',')").first?.stringValue ?? ""
        XCTAssertEqual(events, "sweep,before_backup,after_job,after_backup,failure,before_sleep,stale")
        // Each on its own: a notification's refusal raises, and a raise ends the script.
        func problems(_ event: String) throws -> [String] {
            try f.problems("on(\"\(event)\", function() end)")
                + f.problems("local ns = require \"nightshift\" ns.notify.ntfy { url = \"https://ntfy.example/office\", on = \"\(event)\" }")
        }
        for event in events.split(separator: ",") { XCTAssertEqual(try problems(String(event)), [], "\(event)") }
        let typo = try problems("failur")
        XCTAssertEqual(typo.count, 2, "\(typo)")
        XCTAssertTrue(typo.allSatisfy { $0.contains("did you mean \"failure\"?") }, "\(typo)")
        withExtendedLifetime(rt) {}
    }

    /// The ready busy checks are one list (checks.lua): every name `settings.busy` takes (and
    /// its default lists) is an `ns.busy` check the cycle runs, and check names exactly those.
    func testTheReadyBusyChecksAreOneList() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let ready = try rt.executeWithCore("""
            local out = {}
            for _, name in ipairs(core.defaults.busy) do out[#out + 1] = name .. "=" .. type(ns.busy[name]) end
            return table.concat(out, ",")
            """).first?.stringValue
        XCTAssertEqual(ready, "smb=function,nfs=function,logins=function,inhibitors=function")
        XCTAssertEqual(try f.problems(#"settings { busy = { "smb", "nfs", "logins", "inhibitors" } }"#), [])
        let typo = try f.problems(#"settings { busy = { "smbb" } }"#)
        XCTAssertTrue(typo.first?.hasSuffix(#"item 1: unknown check "smbb" (one of smb | nfs | logins | inhibitors); did you mean "smb"?"#) == true,
                      "\(typo)")
        withExtendedLifetime(rt) {}
    }

    /// `min_interval` has one home, the trigger: the forecast of `status` / `check --explain`
    /// asks `trigger.not_before`, and the night is held back exactly while that says so.
    func testTheForecastAsksTheTriggerForMinInterval() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let now = 1_800_000_000.0
        for (ago, interval) in [(3600.0, 7200.0), (7200.0, 7200.0), (9000.0, 7200.0), (-600.0, 7200.0), (60.0, 0.0)] {
            var night = NightMemory()
            night.lastGoodAutomatic = now - ago
            let notBefore = try rt.minIntervalNotBefore(night, minInterval: interval, now: now)
            let held = try rt.executeWithCore("""
                local d = core.trigger.decide({ now = \(now), watched = {}, sweeps = {}, min_interval = \(interval),
                  night = { last_good_automatic = \(now - ago), failed_attempts = 0 } })
                return not d.run and d.reason:find("min_interval", 1, true) ~= nil
                """)
            XCTAssertEqual(held.first?.isTruthy, notBefore.map { now < $0 } ?? false, "last good \(ago) s ago, min_interval \(interval)")
            if ago > 0, interval > 0 { XCTAssertEqual(notBefore, now - ago + interval) }
        }
        // Swift holds no copy of the rule: a different trigger answer is what the forecast uses.
        _ = try rt.executeWithCore("core.trigger.not_before = function() return 42 end")
        XCTAssertEqual(try rt.minIntervalNotBefore(NightMemory(), minInterval: 1, now: now), 42)
        let settings = SiteSettings(checkEvery: 3600, stateDir: f.dir, logFile: f.dir + "/log", maxAttempts: 3,
                                    watched: [], offlineSweeps: 1, minInterval: 1)
        _ = try rt.executeWithCore("core.trigger.not_before = function() return \(now + 18_000) end")
        var state = NightShiftState()
        state.lastWindowRun = 7
        let rules = PresenceForecast.Rules(windowUsed: 7, notBefore: now + 18_000, offlineSweeps: 1, checkEvery: 3600)
        XCTAssertEqual(try rt.forecast(state, settings: settings, now: now),
                       PresenceForecast(watched: [], presence: [:], rules: rules, now: now))
        XCTAssertEqual(state.windowUsedUp, 7, "the older file's window record")
        state.night.windowUsed = 9
        XCTAssertEqual(state.windowUsedUp, 9)
    }

    private func luaQuoted(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u{%X}", $0.value) }.joined() + "\""
    }
}

extension ScriptFixture {
    /// The message `call` raises in a fresh runtime, or "no error": what a primitive says of
    /// a value, to hold against what `check` says of it.
    func raised(_ call: String) throws -> String {
        // The runtime closes its Lua state when it goes: it is kept until the call returned.
        let rt = try runtime()
        let r = try rt.lua.execute("local ok, e = pcall(function() \(call) end) return ok and 'no error' or tostring(e)")
        return withExtendedLifetime(rt) { r.first?.stringValue ?? "?" }
    }
}
