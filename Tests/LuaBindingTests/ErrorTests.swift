import LuaBinding
import XCTest

final class ErrorTests: XCTestCase {
    private func state() throws -> LuaState {
        let lua = try LuaState()
        try lua.setGlobal("exec", try lua.function("exec") { args in
            _ = try args.table(1)
            return ["ran"]
        })
        try lua.setGlobal("fail", try lua.function("fail") { _ in throw LuaRuntimeError("it broke") })
        try lua.setGlobal("callback", try lua.function("callback") { args in
            try args.state.call(args.function(1), [args[2]])
        })
        return lua
    }

    func testSwiftErrorIsCaughtByPcallInLua() throws {
        let lua = try state()
        let r = try lua.execute("local ok, err = pcall(function() exec(42) end); return ok, err", chunkName: "@t.lua")
        XCTAssertEqual(r[0], .boolean(false))
        XCTAssertEqual(r[1], "t.lua:1: bad argument #1 to 'exec' (table expected, got number)")
    }

    func testMissingArgumentSaysNoValue() throws {
        let lua = try state()
        let r = try lua.execute("return select(2, pcall(function() exec() end))", chunkName: "@t.lua")
        XCTAssertEqual(r[0], "t.lua:1: bad argument #1 to 'exec' (table expected, got no value)")
    }

    func testRuntimeErrorReachesSwiftWithFileLineAndTraceback() throws {
        let lua = try state()
        let source = "local function inner()\n  fail()\nend\ninner()\n"
        XCTAssertThrowsError(try lua.execute(source, chunkName: "@site.lua")) { error in
            guard let e = error as? LuaError else { return XCTFail("not a LuaError: \(error)") }
            XCTAssertEqual(e.message, "site.lua:2: it broke")
            XCTAssertTrue(e.traceback.hasPrefix("stack traceback:"), e.traceback)
            XCTAssertTrue(e.traceback.contains("site.lua:2: in "), e.traceback)
            XCTAssertTrue(e.traceback.contains("site.lua:4: in main chunk"), e.traceback)
        }
    }

    func testSyntaxErrorNamesFileAndLine() throws {
        let lua = try LuaState()
        XCTAssertThrowsError(try lua.load(Array("x = 1\ny = = 2\n".utf8), chunkName: "@bad.lua")) { error in
            XCTAssertTrue("\(error)".hasPrefix("bad.lua:2:"), "\(error)")
        }
    }

    func testBinaryChunksAreRefused() throws {
        let lua = try LuaState()
        let dumped = try lua.execute("return string.dump(function() return 1 end)")
        guard let bytes = dumped[0].bytesValue else { return XCTFail("no dump") }
        XCTAssertThrowsError(try lua.load(bytes, chunkName: "=dump")) { error in
            XCTAssertTrue("\(error)".contains("binary"), "\(error)")
        }
    }

    func testErrorInLuaCallbackCalledFromSwiftPropagates() throws {
        let lua = try state()
        let r = try lua.execute("""
            local ok, err = pcall(callback, function(x) error("cb failed: " .. x) end, "v")
            return ok, err
            """, chunkName: "@cb.lua")
        XCTAssertEqual(r[0], .boolean(false))
        XCTAssertEqual(r[1], "cb.lua:1: cb failed: v")
        // And a callback that succeeds returns through Swift.
        let ok = try lua.execute("return callback(function(x) return x * 2 end, 21)")
        XCTAssertEqual(ok, [.integer(42)])
    }

    func testNonStringErrorObjects() throws {
        let lua = try LuaState()
        XCTAssertThrowsError(try lua.execute("error({code = 1})")) { error in
            XCTAssertTrue("\(error)".contains("table value"), "\(error)")
        }
        XCTAssertThrowsError(try lua.execute("error(setmetatable({}, {__tostring = function() return 'custom' end}))")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "custom")
        }
    }

    func testUnknownOptionSuggestsTheNearName() throws {
        let lua = try LuaState()
        try lua.setGlobal("ping", try lua.function("ping") { args in
            _ = try args.options(2, allowed: ["timeout", "retries"])
            return []
        })
        let r = try lua.execute("return select(2, pcall(function() ping('h', {timout = 1}) end))", chunkName: "@p.lua")
        XCTAssertEqual(r[0], "p.lua:1: bad argument #2 to 'ping' (unknown option 'timout'; did you mean 'timeout'?)")
    }
}
