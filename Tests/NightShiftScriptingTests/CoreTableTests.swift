import Foundation
import LuaBinding
@testable import NightShiftScripting
import XCTest

/// The embedded library's internals live in a private core table: no site script reaches
/// them, and every embedded file is loaded through the private loader.
final class CoreTableTests: XCTestCase {
    /// Each attempt runs in the site script's environment and must return true
    /// (it found nothing internal) or fail with the given piece of message.
    func testASiteScriptCannotReachAnyInternal() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let attempts: [(name: String, code: String, refused: String?)] = [
            ("a former ns._ name", "return ns._state == nil and ns._config == nil and ns._util == nil and ns._fire == nil", nil),
            ("the global module", "return nightshift._state == nil and nightshift._bounded == nil", nil),
            ("no _ key anywhere in the module", """
                local seen = {}
                local function clean(t, path)
                  if seen[t] then return true end
                  seen[t] = true
                  for k, v in pairs(t) do
                    if type(k) == "string" and k:sub(1, 1) == "_" then return path .. "." .. k end
                    if type(v) == "table" then
                      local r = clean(v, path .. "." .. tostring(k))
                      if r ~= true then return r end
                    end
                  end
                  return true
                end
                return clean(require "nightshift", "ns")
                """, nil),
            ("a global named core", "return rawget(_G, 'core') == nil", nil),
            ("package.loaded holds the module only", """
                for k in pairs(package.loaded) do
                  if type(k) == "string" and k:find("^nightshift.") then return false end
                end
                return true
                """, nil),
            ("package.preload is empty", "return next(package.preload) == nil", nil),
            ("require of an embedded module", "require 'nightshift.dsl'", "module 'nightshift.dsl' not found"),
            ("require of the loader", "require 'nightshift.init'", "module 'nightshift.init' not found"),
            ("no debug reader of upvalues, locals or the registry", """
                return debug.getupvalue == nil and debug.getlocal == nil and debug.getregistry == nil
                  and debug.upvalueid == nil and debug.getuservalue == nil and debug.getmetatable == nil
                """, nil),
            ("the module has no metatable", "return getmetatable(ns) == nil and getmetatable(ns.log) == nil", nil),
            ("the environment's metatable holds functions only", """
                for _, v in pairs(getmetatable(_G)) do if type(v) ~= "function" then return false end end
                return true
                """, nil),
        ]
        for a in attempts {
            let r = try rt.lua.execute("return pcall(function() \(a.code) end)", chunkName: "=site")
            if let refused = a.refused {
                XCTAssertEqual(r.first, .boolean(false), a.name)
                XCTAssertTrue(r.count > 1 && (r[1].stringValue ?? "").contains(refused), "\(a.name): \(r)")
            } else {
                XCTAssertEqual(r, [.boolean(true), .boolean(true)], a.name)
            }
        }
    }

    /// Walks everything a site script can reach (globals, package.loaded, metatables, a
    /// night as a routine gets it) and finds neither the core table nor any table of it.
    func testNoInternalTableIsReachable() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.executeWithCore("""
            local seen, count = {}, 0
            local function walk(v)
              if type(v) ~= "table" or seen[v] then return end
              seen[v] = true
              count = count + 1
              for k, x in next, v do walk(k); walk(x) end
              walk(getmetatable(v))
            end
            walk(_G); walk(package.loaded); walk(getmetatable("")); walk(core.new_night({}, true))
            local leaks = {}
            if seen[core] then leaks[#leaks + 1] = "core" end
            for k, v in pairs(core) do
              if type(v) == "table" and seen[v] then leaks[#leaks + 1] = "core." .. k end
            end
            table.sort(leaks)
            return table.concat(leaks, ", "), count
            """)
        XCTAssertEqual(r.first, .string(""), "reachable from a site script")
        XCTAssertGreaterThan(r.count > 1 ? r[1].integerValue ?? 0 : 0, 20, "the walk saw the environment")
    }

    func testTheInternalsAreInTheCoreTable() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.executeWithCore("""
            return type(core.state.load), type(core.bounded), type(core.fire), type(core.util.suggest), type(core.config)
            """)
        XCTAssertEqual(r, ["function", "function", "function", "function", "table"])
    }

    /// A `.lua` file that nothing requires fails the start, naming it.
    func testAnEmbeddedFileThatIsNeverLoadedFailsTheStart() throws {
        let f = try ScriptFixture()
        var library = EmbeddedLua.sources
        library["nightshift.extra"] = Array("return {}".utf8)
        let context = ScriptContext(log: f.log, options: ScriptOptions())
        XCTAssertThrowsError(try ScriptRuntime(context: context, library: library)) { error in
            let text = (error as? LuaError)?.message ?? "\(error)"
            XCTAssertTrue(text.contains("embedded Lua module never loaded: nightshift.extra"), text)
        }
    }

    /// Every file the build embedded is one the loader ran (the real library, no fake file).
    func testEveryEmbeddedFileIsLoaded() throws {
        let f = try ScriptFixture()
        let rt = try f.runtime()
        let r = try rt.executeWithCore("""
            local names = {}
            for name, done in pairs(core.loaded) do if done == true then names[#names + 1] = name end end
            table.sort(names)
            return table.concat(names, " ")
            """)
        XCTAssertEqual(r.first?.stringValue, EmbeddedLua.sources.keys.sorted().joined(separator: " "))
        XCTAssertGreaterThanOrEqual(EmbeddedLua.sources.count, 14)
    }

    /// A module that requires one that requires it back is an error, not a half-loaded table.
    func testARequireCycleIsAnError() throws {
        let f = try ScriptFixture()
        var library = EmbeddedLua.sources
        library["nightshift.a"] = Array("local ns, core = ... core.require 'nightshift.b'".utf8)
        library["nightshift.b"] = Array("local ns, core = ... core.require 'nightshift.a'".utf8)
        let initText = String(decoding: library["nightshift.init"]!, as: UTF8.self)
        library["nightshift.init"] = Array((initText + "\ncore.require 'nightshift.a'\n").utf8)
        let context = ScriptContext(log: f.log, options: ScriptOptions())
        XCTAssertThrowsError(try ScriptRuntime(context: context, library: library)) { error in
            let text = (error as? LuaError)?.message ?? "\(error)"
            XCTAssertTrue(text.contains("embedded module 'nightshift.a' requires itself"), text)
        }
    }

    // MARK: Below the top level: what site code gets of the library's records

    /// A site script with a host `Pc` and a job on it, loaded into a runtime.
    private func loadedSite() throws -> (ScriptFixture, ScriptRuntime) {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas" }
            host "Nas" { }
            host "Pc" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-02", actions = { suspend = { "true" } } }
            job "J" { source = "Nas", target = "Pc", run = { "true" }, after = "suspend", time_sync = "none" }
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        return (f, rt)
    }

    /// `ns.hosts.get` hands out a copy: writing `h.mac` or `h.ip` changes no record the library
    /// decides by (the plan `check` prints, the packets the night sends).
    func testHostsGetReturnsACopy() throws {
        let (_, rt) = try loadedSite()
        let r = try rt.executeWithCore("""
            local before = ns.hosts.get("Pc").mac[1]
            local h = ns.hosts.get("Pc")
            h.mac[1] = "11:22:33:44:55:66"
            h.ip = { "10.9.9.9" }
            h.name = "Other"
            ns.hosts.get = function() return { mac = { "evil" } } end
            local live = core.require("nightshift.hosts").get("Pc")
            return live.mac[1] == before, live.ip[1], live.name, before ~= "11:22:33:44:55:66"
            """)
        XCTAssertEqual(r, [true, "10.0.0.2", "Pc", true])
    }

    /// A routine's night exposes neither the bookkeeping methods nor its class: its metatable
    /// is protected, and only the documented methods are there.
    func testTheNightHidesItsBookkeepingAndClass() throws {
        let (_, rt) = try loadedSite()
        let r = try rt.executeWithCore("""
            local night = core.public_night(core.new_night({ Pc = { up = false } }, true, { hosts = {} }))
            return getmetatable(night), night._release == nil, night._needed_later == nil,
              type(night.run), type(night.keep_on_reason), type(night.finish), night.__index == nil
            """)
        XCTAssertEqual(r, ["night", true, true, "function", "function", "function", true])
    }

    /// `was_up`, `state_known` and every other field of a routine's night are read-only, and
    /// keep_on_reason decides by what the sweep saw, whatever the routine tried.
    func testTheNightsRecordsAreNotWritableFromSiteCode() throws {
        let (_, rt) = try loadedSite()
        let attempts = [
            "night.was_up.Pc = false", "night.was_up = {}", "night.state_known = true",
            "night.woken.Pc = true", "night.came_up.Pc = nil", "night._release = print",
            "table.insert(night.plan, 'X')", "setmetatable(night, nil)",
            "getmetatable(night.was_up).__newindex = rawset",
            // rawset bypasses every metamethod: it writes into the view itself, never the night.
            "rawset(night.was_up, 'Pc', false) error('written into the view only')",
        ]
        for attempt in attempts {
            let r = try rt.executeWithCore("""
                local inner = core.new_night({ Pc = { up = true } }, false, { hosts = {} })
                local night = core.public_night(inner)
                local ok = pcall(function() \(attempt) end)
                return ok, inner.was_up.Pc, inner.state_known, inner.woken.Pc == nil, #inner.plan,
                  night:keep_on_reason("Pc")
                """)
            XCTAssertEqual(r.first, .boolean(false), "\(attempt) must be refused")
            XCTAssertEqual(Array(r.dropFirst().prefix(4)), [true, false, true, 1], attempt)
            XCTAssertTrue(r.last?.stringValue?.hasPrefix("the state is unknown") == true, "\(attempt): \(r)")
        }
    }

    /// What a routine reads through its night is what the night holds (views, not snapshots).
    func testTheNightsViewsReadTheLiveRecords() throws {
        let (_, rt) = try loadedSite()
        let r = try rt.executeWithCore("""
            local inner = core.new_night({ Pc = { up = true } }, true, { hosts = {} })
            local night = core.public_night(inner)
            inner.results.J = { result = "ok" }
            local n = 0
            for name, up in pairs(night.was_up) do n = n + 1 end
            local plan = {}
            for _, j in ipairs(night.plan) do plan[#plan + 1] = j end
            return night.results.J.result, n, #night.plan, table.concat(plan, ","), night.was_up.Pc,
              core.public_night(inner) == night
            """)
        XCTAssertEqual(r, ["ok", 1, 1, "J", true, true])
    }

    /// A site trigger sees the sweep the night then decides by (`was_up`) as a read-only view:
    /// it cannot mark an up host down to get it switched off.
    func testATriggerCannotRewriteTheSweep() throws {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas" }
            host "Nas" { }
            host "Pc" { ip = "10.0.0.2", mac = "AA-BB-CC-DD-EE-02", watch = false }
            job "J" { source = "Nas", target = "Pc", run = { "true" }, time_sync = "none" }
            trigger(function(t) t.hosts.Pc.up = false return true end)
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let r = try rt.executeWithCore("""
            local sweep = { Pc = { up = true, ip = "10.0.0.2" } }
            local ok, err = pcall(core.decision, sweep, true, {})
            return ok, tostring(err), sweep.Pc.up
            """)
        XCTAssertEqual(r.first, .boolean(false), "the trigger's write must fail the decision")
        XCTAssertTrue(r.count > 1 && (r[1].stringValue ?? "").contains("the sweep is read-only"), "\(r)")
        XCTAssertEqual(r.last, .boolean(true))
    }

    /// In a whole cycle (this machine only, no packet), the routine and the event handlers get
    /// the view: no class behind `getmetatable`, no bookkeeping, nothing writable.
    func testARoutineAndHandlersGetTheViewInACycle() throws {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas", check_every = "1h" }
            host "Nas" { }
            job "J" { source = "Nas", target = "Nas", run = { "true" }, time_sync = "none" }
            local function probe(where, night)
              local wrote = pcall(function() night.state_known = true end)
              local wrote_deep = pcall(function() night.was_up.Nas = false end)
              ns.log.info("%s: meta=%s release=%s needed=%s wrote=%s deep=%s", where, tostring(getmetatable(night)),
                tostring(night._release), tostring(night._needed_later), tostring(wrote), tostring(wrote_deep))
            end
            on("before_backup", function(t) probe("before", t.night) end)
            on("after_backup", function(t) probe("after", t.night) end)
            routine(function(night) probe("routine", night) night:run("J") end)
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let outcome = try rt.cycle(manual: true)
        XCTAssertTrue(outcome.ran, "\(outcome)")
        for place in ["before", "routine", "after"] {
            XCTAssertTrue(f.logText.contains("\(place): meta=night release=nil needed=nil wrote=false deep=false"),
                          "\(place):\n\(f.logText)")
        }
    }

    /// The payloads of `sweep` and `after_job` hold what the library decides and reports by (the
    /// sweep the trigger and the night read, the stats the summary reads): a handler gets
    /// read-only views, and what it tries to write changes neither.
    func testSweepAndAfterJobHandlersCannotRewriteTheNightsRecords() throws {
        let f = try ScriptFixture()
        let script = """
            settings { self = "Nas", check_every = "1h" }
            host "Nas" { }
            job "J" { source = "Nas", target = "Nas", run = { "true" }, time_sync = "none", exit_codes = "rsync" }
            on("sweep", function(t)
              local wrote = pcall(function() t.hosts.Ghost = { up = false } end)
              ns.log.info("sweep: wrote=%s", tostring(wrote))
            end)
            on("after_job", function(t)
              local wrote = pcall(function() t.stats.meaning = "rewritten" end)
              ns.log.info("after_job: wrote=%s meaning=%s", tostring(wrote), tostring(t.stats.meaning))
            end)
            on("after_backup", function(t)
              ns.log.info("after_backup: ghost=%s meaning=%s", tostring(t.night.was_up.Ghost), tostring(t.results.J.stats.meaning))
            end)
            """
        let path = try f.write("site.lua", script)
        let rt = try f.runtime()
        try rt.loadSite(path: path, source: Array(script.utf8))
        let outcome = try rt.cycle(manual: true)
        XCTAssertTrue(outcome.ran, "\(outcome)")
        for line in ["sweep: wrote=false", "after_job: wrote=false meaning=success", "after_backup: ghost=nil meaning=success"] {
            XCTAssertTrue(f.logText.contains(line), "\(line):\n\(f.logText)")
        }
    }
}
