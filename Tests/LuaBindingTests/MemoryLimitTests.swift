import LuaBinding
import XCTest

/// The capped allocator: a runaway script gets a clear, catchable error and the state (and
/// the process) goes on.
final class MemoryLimitTests: XCTestCase {
    private func state(limit: Int) throws -> LuaState {
        let lua = try LuaState(memoryLimit: limit)
        lua.memoryLimitName = "lua_memory"
        lua.describeBytes = { "\($0 >> 20) MiB" }
        return lua
    }

    func testDefaultCapIs512MiB() throws {
        XCTAssertEqual(try LuaState().memoryLimit, 512 << 20)
        // The binding writes a plain byte count unless its host gives its own size formatter.
        XCTAssertEqual(try LuaState().memoryErrorMessage, "not enough memory (memory limit 536870912 bytes reached)")
    }

    func testRunawayTableStopsAtTheCapWithAClearMessage() throws {
        let lua = try state(limit: 64 << 20)
        let source = #"local t = {} while true do t[#t+1] = string.rep("x", 1e6) end"#
        XCTAssertThrowsError(try lua.execute(source, chunkName: "=site")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "not enough memory (lua_memory limit 64 MiB reached)")
        }
        // The full collection after the failure gave the memory back, and the state still works.
        XCTAssertLessThan(lua.memoryUsed, 8 << 20)
        XCTAssertEqual(try lua.execute("return 1 + 1"), [.integer(2)])
        XCTAssertEqual(try lua.execute(#"return #string.rep("y", 1e6)"#), [.integer(1_000_000)])
    }

    func testHugeStringRepFailsCleanly() throws {
        let lua = try state(limit: 64 << 20)
        let r = try lua.execute(#"local ok, err = pcall(string.rep, "x", 2^40) return ok, err"#)
        XCTAssertEqual(r, [false, "resulting string too large"])
        // 1 GiB is a size Lua accepts: the cap refuses it.
        let g = try lua.execute(#"local ok, err = pcall(string.rep, "x", 2^30) return ok, err"#)
        XCTAssertEqual(g, [false, "not enough memory"])
        XCTAssertEqual(try lua.execute("return 'still here'"), ["still here"])
    }

    func testSwiftResultTooBigForTheCapIsALuaError() throws {
        let lua = try state(limit: 16 << 20)
        // 32 MiB of result: the push into Lua runs out of memory inside the trampoline.
        try lua.setGlobal("big", try lua.function("big") { _ in [.string(String(repeating: "z", count: 32 << 20))] })
        let r = try lua.execute("local ok, err = pcall(big) return ok, err")
        XCTAssertEqual(r.first, .boolean(false))
        XCTAssertEqual(r.dropFirst().first?.stringValue?.contains("not enough memory"), true, "\(r)")
        XCTAssertEqual(try lua.execute("return 3"), [.integer(3)])
    }

    func testSwiftArgumentsTooBigForTheCapThrow() throws {
        let lua = try state(limit: 16 << 20)
        let f = try lua.execute("return function(s) return #s end")[0]
        guard case .function(let fn) = f else { return XCTFail("no function") }
        let big = LuaValue.table(LuaTable(array: (0..<40).map { _ in .string(String(repeating: "q", count: 1 << 20)) }))
        XCTAssertThrowsError(try lua.call(fn, [big])) { error in
            XCTAssertEqual((error as? LuaError)?.message, "not enough memory (lua_memory limit 16 MiB reached)")
        }
        XCTAssertThrowsError(try lua.setGlobal("big", big))
        XCTAssertThrowsError(try lua.reference(big))
        XCTAssertEqual(try lua.call(fn, ["four"]), [.integer(4)])
    }

    func testMemoryFilledInsideACallbackStillUnwindsCleanly() throws {
        let lua = try state(limit: 32 << 20)
        var calls = 0
        try lua.setGlobal("each", try lua.function("each") { args in
            calls += 1
            return try args.state.call(args.function(1), [.integer(Int64(calls))])
        })
        let source = #"each(function() local t = {} while true do t[#t+1] = string.rep("x", 1e5) end end)"#
        XCTAssertThrowsError(try lua.execute(source)) { error in
            XCTAssertEqual((error as? LuaError)?.message, "not enough memory (lua_memory limit 32 MiB reached)")
        }
        XCTAssertEqual(try lua.execute("return 5"), [.integer(5)])
    }

    func testLimitCanBeChanged() throws {
        let lua = try state(limit: 0)
        XCTAssertEqual(lua.memoryLimit, 0)
        XCTAssertEqual(try lua.execute(#"return #string.rep("x", 40e6)"#), [.integer(40_000_000)])
        lua.memoryLimit = 8 << 20
        XCTAssertThrowsError(try lua.execute(#"return #string.rep("x", 40e6)"#))
        lua.memoryLimit = 0
        XCTAssertEqual(try lua.execute(#"return #string.rep("x", 40e6)"#), [.integer(40_000_000)])
    }

    func testSetGlobalAndReferenceThrowOnTooDeepValues() throws {
        let lua = try LuaState()
        var deep = LuaValue.integer(1)
        for _ in 0..<300 { deep = .table(LuaTable(array: [deep])) }
        XCTAssertThrowsError(try lua.setGlobal("deep", deep))
        XCTAssertThrowsError(try lua.reference(deep))
        XCTAssertEqual(lua.stackTop, 0)
    }
}
