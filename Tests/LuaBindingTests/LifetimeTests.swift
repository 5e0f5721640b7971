import Foundation
import LuaBinding
import XCTest

final class LifetimeTests: XCTestCase {
    final class Tracked {
        nonisolated(unsafe) static var alive = 0
        init() { Tracked.alive += 1 }
        deinit { Tracked.alive -= 1 }
    }

    func testSwiftObjectsAreReleasedAfterErrors() throws {
        Tracked.alive = 0
        do {
            let lua = try LuaState()
            let tracked = Tracked()
            try lua.setGlobal("boom", try lua.function("boom") { [tracked] _ in
                _ = tracked
                throw LuaRuntimeError("boom")
            })
            for _ in 0..<100 { _ = try lua.execute("pcall(boom)") }
            XCTAssertEqual(Tracked.alive, 1)
            lua.close()
        }
        XCTAssertEqual(Tracked.alive, 0, "closure captures must be released when the state closes")
    }

    func testCollectedFunctionReleasesItsClosure() throws {
        Tracked.alive = 0
        let lua = try LuaState()
        do {
            let tracked = Tracked()
            let f = try lua.function("temp") { [tracked] _ in _ = tracked; return [] }
            try lua.setGlobal("temp", f)
        }
        try lua.setGlobal("temp", .nil)
        _ = try lua.execute("collectgarbage(); collectgarbage()")
        XCTAssertEqual(Tracked.alive, 0, "a function Lua dropped must free its Swift closure")
    }

    func testTenThousandMixedCallsLeaveTheStackAsItWas() throws {
        let lua = try LuaState()
        try lua.setGlobal("mix", try lua.function("mix") { args in
            let n = try args.integer(1)
            if n % 7 == 0 { throw LuaRuntimeError("seven") }
            return [.integer(n), .string("s\(n)"), .number(Double(n) / 2), ["k": .integer(n)], .nil]
        })
        let before = lua.stackTop
        let r = try lua.execute("""
            local sum, errors = 0, 0
            for i = 1, 10000 do
              local ok, a, s, f, t, z = pcall(mix, i)
              if ok then
                assert(s == "s" .. i and f == i / 2 and t.k == i and z == nil)
                sum = sum + a
              else
                errors = errors + 1
              end
            end
            return sum, errors
            """)
        XCTAssertEqual(lua.stackTop, before)
        XCTAssertEqual(r[1], .integer(1428))
        let expected = (1...10000).filter { $0 % 7 != 0 }.reduce(0, +)
        XCTAssertEqual(r[0], .integer(Int64(expected)))
        // From Swift too.
        guard case .function(let mix) = try lua.global("mix") else { return XCTFail() }
        for i in 1...10000 where i % 7 != 0 { _ = try lua.call(mix, [.integer(Int64(i))]) }
        XCTAssertEqual(lua.stackTop, before)
    }

    func testFunctionCalledFromCoroutine() throws {
        let lua = try LuaState()
        try lua.setGlobal("twice", try lua.function("twice") { args in
            [.integer(try args.integer(1) * 2)]
        })
        let r = try lua.execute("""
            local co = coroutine.wrap(function(x) local y = coroutine.yield(twice(x)); return twice(y) end)
            return co(2), co(5)
            """)
        XCTAssertEqual(r, [.integer(4), .integer(10)])
    }

    func testDeeplyNestedTablesNeitherCrashNorUnbalanceTheStack() throws {
        let lua = try LuaState()
        try lua.setGlobal("echo", try lua.function("echo") { args in args.values })
        let before = lua.stackTop
        let r = try lua.execute("""
            local t = {}
            local cur = t
            for i = 1, 150 do cur.next = {}; cur = cur.next end
            cur.leaf = "deep"
            local back = echo(t)
            for i = 1, 150 do back = back.next end
            return back.leaf
            """)
        XCTAssertEqual(r, ["deep"])
        // Too deep for the copy: a clean error, not a crash, and the stack as it was.
        XCTAssertThrowsError(try lua.execute("local t = {}; local c = t; for i = 1, 500 do c.n = {}; c = c.n end; echo(t)"))
        try lua.setGlobal("cyc", .nil)
        _ = try lua.execute("cyc = {}; cyc.self = cyc")
        XCTAssertThrowsError(try lua.global("cyc"))
        XCTAssertEqual(lua.stackTop, before)
    }

    func testARunawayLoopStopsWhenInterrupted() throws {
        let lua = try LuaState()
        let started = Date()
        lua.interruptCheck = { Date().timeIntervalSince(started) > 0.3 }
        XCTAssertThrowsError(try lua.execute("while true do end", chunkName: "@loop.lua")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "loop.lua:1: interrupted")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }

    func testAFunctionFromAnotherStateIsRefused() throws {
        let a = try LuaState()
        let b = try LuaState()
        let foreign = try a.execute("return function() end")[0]
        guard case .function(let f) = try b.execute("return function(x) return x end")[0] else { return XCTFail() }
        XCTAssertThrowsError(try b.call(f, [foreign])) { error in
            XCTAssertTrue("\(error)".contains("another Lua state"), "\(error)")
        }
        XCTAssertEqual(b.stackTop, 0)
    }
}
