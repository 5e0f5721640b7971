import Foundation
import LuaBinding
import NightShiftCore
@testable import NightShiftScripting
import XCTest

/// sandbox.lua: what a site script cannot do (invariant 10), checked in a full runtime.
final class SandboxTests: XCTestCase {
    private var fixture: ScriptFixture!
    private var rt: ScriptRuntime!

    override func setUpWithError() throws {
        fixture = try ScriptFixture()
        rt = try fixture.runtime()
    }

    override func tearDown() {
        rt = nil
        fixture = nil
    }

    /// Runs `source` in the runtime's state and returns its results.
    private func run(_ source: String) throws -> [LuaValue] {
        try rt.lua.execute(source, chunkName: "=test")
    }

    /// Runs `source` with the library's private core table as `core`.
    private func runWithCore(_ source: String) throws -> [LuaValue] {
        try rt.executeWithCore(source)
    }

    /// The error message of `source`'s first failing statement, via pcall.
    private func error(_ source: String) throws -> String {
        let r = try run("local ok, err = pcall(function() \(source) end) return ok, err")
        XCTAssertEqual(r.first, .boolean(false), "\(source) should fail")
        return r.dropFirst().first?.stringValue ?? ""
    }

    /// A binary chunk made by an unsandboxed state.
    private func binaryChunk() throws -> [UInt8] {
        let plain = try LuaState()
        let dumped = try plain.execute("return string.dump(function() return 'binary ran' end)")
        guard let bytes = dumped.first?.bytesValue, bytes.first == 27 else { throw LuaError(message: "no dump") }
        return bytes
    }

    func testLoadRefusesBinaryChunksInEveryMode() throws {
        try rt.lua.setGlobal("chunk", .bytes(try binaryChunk()))
        for call in ["load(chunk)", #"load(chunk, "x", "b")"#, #"load(chunk, "x", "bt")"#, #"load(chunk, "x", "b", {})"#] {
            let r = try run("return \(call)")
            XCTAssertEqual(r.first, .nil, call)
            XCTAssertEqual(r.dropFirst().first?.stringValue?.contains("attempt to load a binary chunk"), true, "\(call): \(r)")
        }
        let pieces = try run(#"local done return load(function() if done then return nil end done = true return chunk end, "x", "b")"#)
        XCTAssertEqual(pieces.first, .nil)
        // Text still loads, and an explicit env is kept.
        XCTAssertEqual(try run(#"return load("return 1 + 1")()"#), [.integer(2)])
        XCTAssertEqual(try run(#"return load("return x", "x", "bt", { x = 5 })()"#), [.integer(5)])
    }

    func testLoadfileDofileAndRequireRefuseBinaryFiles() throws {
        let path = fixture.dir + "/evil.lua"
        try Data(try binaryChunk()).write(to: URL(fileURLWithPath: path))
        try rt.lua.setGlobal("path", .string(path))
        try rt.lua.setGlobal("dir", .string(fixture.dir))
        let lf = try run(#"return loadfile(path, "b")"#)
        XCTAssertEqual(lf.first, .nil)
        XCTAssertEqual(lf.dropFirst().first?.stringValue?.contains("attempt to load a binary chunk"), true, "\(lf)")
        XCTAssertTrue(try error("dofile(path)").contains("attempt to load a binary chunk"))
        let req = try error(#"package.path = dir .. "/?.lua"; require "evil""#)
        XCTAssertTrue(req.contains("error loading module 'evil'") && req.contains("binary chunk"), req)
        // A text module still loads through require.
        try fixture.write("good.lua", "return { answer = 42 }")
        XCTAssertEqual(try run(#"package.path = dir .. "/?.lua"; return require("good").answer"#), [.integer(42)])
    }

    func testNoStringDumpAndNoCModules() throws {
        XCTAssertTrue(try error("string.dump(print)").hasSuffix("string.dump is not available: binary chunks are refused"))
        XCTAssertTrue(try error("(''):dump()").contains("string.dump is not available"))
        XCTAssertEqual(try run("return package.loadlib, package.cpath, #package.searchers"), [.nil, "", .integer(2)])
        XCTAssertTrue(try error(#"require "nosuchmodule""#).contains("module 'nosuchmodule' not found"))
    }

    func testDebugIsReadOnly() throws {
        for name in ["sethook", "gethook", "setlocal", "getlocal", "setupvalue", "getupvalue", "upvaluejoin",
                     "setmetatable", "getregistry", "setuservalue", "setcstacklimit", "debug"] {
            XCTAssertEqual(try run("return debug.\(name)"), [.nil], name)
        }
        XCTAssertEqual(try run(#"return require("debug") == debug, type(debug.traceback), debug.getinfo(1, "S").source"#),
                       [true, "function", "=test"])
    }

    func testCollectgarbageCannotStopOrRetuneTheCollector() throws {
        for option in ["stop", "incremental", "generational", "setpause", "setstepmul", "restart"] {
            XCTAssertTrue(try error("collectgarbage('\(option)')").contains("option '\(option)' is not available"), option)
        }
        XCTAssertEqual(try run("return type(collectgarbage('count')), collectgarbage('isrunning'), collectgarbage()"),
                       ["number", true, .integer(0)])
        XCTAssertEqual(try run("collectgarbage('step') return collectgarbage('collect')"), [.integer(0)])
    }

    func testNoShells() throws {
        XCTAssertTrue(try error("os.execute('true')").hasSuffix(
            "os.execute is not available in a NightShift script; use ns.exec (argv, no shell)"))
        XCTAssertTrue(try error("io.popen('true')").hasSuffix(
            "io.popen is not available in a NightShift script; use ns.exec (argv, no shell)"))
        // What site scripts need for reports stays.
        XCTAssertEqual(try run("return type(io.open), type(os.remove), type(os.rename), type(os.setlocale)"),
                       ["function", "function", "function", "function"])
    }

    func testInterruptionCannotBeSwitchedOff() throws {
        // With debug.sethook a script could remove the count hook that stops it on SIGTERM.
        XCTAssertTrue(try error("debug.sethook()").contains("attempt to call a nil value"))
    }

    func testOutOfMemoryInPcallNamesTheCap() throws {
        rt.lua.memoryLimit = 64 << 20
        let r = try run(#"return pcall(function() local t = {} while true do t[#t+1] = string.rep("x", 1e6) end end)"#)
        XCTAssertEqual(r, [false, "not enough memory (lua_memory limit 64 MiB reached)"])
        let x = try run(#"return xpcall(function() local t = {} while true do t[#t+1] = string.rep("x", 1e6) end end, debug.traceback)"#)
        XCTAssertEqual(x, [false, "not enough memory (lua_memory limit 64 MiB reached)"])
        XCTAssertEqual(try runWithCore("return core.lua_memory()"), [.integer(64 << 20)])
    }

    func testParseSizeAndSettingTheCap() throws {
        XCTAssertEqual(try run(#"return ns.parse.size("512MiB")"#), [.integer(512 << 20)])
        XCTAssertEqual(try run(#"return ns.parse.size(2^21)"#), [.integer(2 << 20)])
        XCTAssertEqual(try run(#"return ns.parse.size("1KiB")"#), [.nil, #"invalid size "1KiB" (at least 1 MiB)"#])
        XCTAssertEqual(try run(#"return ns.parse.size(math.huge)"#), [.nil, "invalid size inf (must be a finite number of bytes)"])
        XCTAssertEqual(try runWithCore("return core.lua_memory(2^30)"), [.integer(1 << 30)])
        XCTAssertEqual(rt.lua.memoryLimit, 1 << 30)
        XCTAssertTrue(try runWithCore("local ok, err = pcall(core.lua_memory, 1) return err")[0].stringValue!.contains("bad argument #1 to 'lua_memory' (invalid size 1 (at least 1 MiB))"))
    }

    func testParseDurationIsRangeChecked() throws {
        XCTAssertEqual(try run(#"return ns.parse.duration(1e20 * 86400)"#), [.nil, "invalid duration 8.64e+24 (at most 10 years)"])
        XCTAssertEqual(try run(#"return ns.parse.duration("100000000000000000000d")"#),
                       [.nil, #"invalid duration "100000000000000000000d" (at most 10 years)"#])
        XCTAssertEqual(try run(#"return ns.parse.duration(0/0)"#).first, .nil)
        XCTAssertEqual(try run(#"return ns.format_duration(1e300)"#), ["?"])
    }

    /// Lua runs finalizers with hooks off, so site code may install none: setmetatable refuses
    /// `__gc`, and the metatables that hold one (files) are out of reach (invariant 15).
    func testNoFinalizersForSiteCode() throws {
        let refused = try error("setmetatable({}, { __gc = function() while true do end end })")
        XCTAssertTrue(refused.contains("bad argument #2 to 'setmetatable' (__gc is not available"), refused)
        XCTAssertTrue(refused.hasPrefix("test:1:"), "the error names the script's line: \(refused)")
        // A __gc added after setmetatable never marks the object: nothing ever runs it.
        let r = try run("""
            local ran = false
            local mt = {}
            setmetatable({}, mt)
            mt.__gc = function() ran = true end
            collectgarbage(); collectgarbage()
            return ran, getmetatable(io.stdout), getmetatable("")
            """)
        XCTAssertEqual(r, [false, "FILE*", "string"])
        XCTAssertTrue(try error("getmetatable(io.stdout).__gc = print").contains("index a string value"))
        // __close still runs as ordinary Lua, under the hooks: allowed.
        XCTAssertEqual(try run("""
            local closed = false
            do local x <close> = setmetatable({}, { __close = function() closed = true end }) end
            return closed
            """), [true])
    }

    /// `check` of a script whose top level tries to leave a looping finalizer behind finishes:
    /// the refusal is a script error, and closing the state runs nothing of the script's.
    func testALoopingFinalizerCannotHangTheClose() throws {
        let started = ContinuousClock.now
        let problems = try fixture.problems("""
            setmetatable({}, { __gc = function() while true do end end })
            """)
        XCTAssertTrue(problems.first?.contains("__gc is not available") == true, "\(problems)")
        XCTAssertLessThan(started.duration(to: .now), .seconds(10))
    }
}
