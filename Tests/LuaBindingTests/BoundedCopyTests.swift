import LuaBinding
import XCTest

/// What crosses from Lua into Swift is bounded in depth, count and bytes; a table shared
/// many times is not copied again and again; and the copy answers the interruption check
/// (docs/design.md, invariant 16).
final class BoundedCopyTests: XCTestCase {
    /// A state with `take(...)`, which returns how many arguments it got.
    private func stateWithTake(memoryLimit: Int = LuaState.defaultMemoryLimit) throws -> LuaState {
        let lua = try LuaState(memoryLimit: memoryLimit)
        try lua.setGlobal("take", try lua.function("take") { args in [.integer(Int64(args.count))] })
        return lua
    }

    /// The repro: 40 levels, each holding the level below twice - a small Lua table whose
    /// full copy has 2^40 nodes. Refused at once with a bad-argument error, never copied.
    func testATableSharedAtEveryLevelIsRefusedQuickly() throws {
        let lua = try stateWithTake()
        let started = ContinuousClock.now
        let r = try lua.execute("""
            local t = { leaf = string.rep("x", 1024) }
            for _ = 1, 40 do t = { a = t, b = t } end
            return pcall(take, t)
            """)
        XCTAssertEqual(r.first, .boolean(false))
        let message = r.count > 1 ? r[1].stringValue ?? "" : ""
        XCTAssertTrue(message.contains("bad argument #1 to 'take' (table too large"), message)
        XCTAssertLessThan(started.duration(to: .now), .seconds(5), "the refusal must not copy the table first")
    }

    /// A table shared a few times within the bounds is copied once and reused.
    func testASharedTableWithinTheBoundsCrosses() throws {
        let lua = try LuaState()
        try lua.setGlobal("echo", try lua.function("echo") { args in args.values })
        let r = try lua.execute("""
            local shared = { 1, 2, 3 }
            local t = shared
            for _ = 1, 8 do t = { a = t, b = t } end
            local back = echo(t)
            return back.a.b.a.b.a.b.a.b[3]
            """)
        XCTAssertEqual(r, [.integer(3)])
    }

    /// Deeper than 200 levels: refused naming the depth, as argument #2.
    func testTooDeepIsABadArgument() throws {
        let lua = try stateWithTake()
        let r = try lua.execute("""
            local t = {}
            for _ = 1, 300 do t = { t } end
            return pcall(take, 1, t)
            """)
        XCTAssertEqual(r.first, .boolean(false))
        let message = r.count > 1 ? r[1].stringValue ?? "" : ""
        XCTAssertTrue(message.contains("bad argument #2 to 'take' (table too deep: more than 200 levels)"), message)
    }

    /// More values than the bound (one flat table): refused.
    func testTooManyValuesAreRefused() throws {
        let lua = try stateWithTake()
        let r = try lua.execute("""
            local t = {}
            for i = 1, 300000 do t[i] = i end
            return pcall(take, t)
            """)
        XCTAssertEqual(r.first, .boolean(false))
        XCTAssertTrue((r[1].stringValue ?? "").contains("table too large: more than 250000 values"), "\(r)")
    }

    /// The strings of one call count together against the state's memory cap: many
    /// arguments each holding the same large string cannot add up past it.
    func testBytesCountAgainstTheMemoryCap() throws {
        let lua = try stateWithTake(memoryLimit: 8 << 20)
        let r = try lua.execute("""
            local s = string.rep("y", 1 << 20)
            local t = {}
            for i = 1, 12 do t[i] = s end
            return pcall(take, t)
            """)
        XCTAssertEqual(r.first, .boolean(false))
        XCTAssertTrue((r[1].stringValue ?? "").contains("table too large: more than 8388608 bytes of strings"), "\(r)")
        let ok = try lua.execute("return take(string.rep('y', 1 << 20), string.rep('z', 1 << 20))")
        XCTAssertEqual(ok, [.integer(2)])
    }

    /// A long copy polls the interruption check (the time budget and signals reach it).
    func testACopyAnswersTheInterruptionCheck() throws {
        let lua = try stateWithTake()
        let table = try lua.execute("local t = {} for i = 1, 100000 do t[i] = i end return t")
        guard case .table = table.first else { return XCTFail("expected a table") }
        lua.interruptCheck = { true }
        XCTAssertThrowsError(try lua.call(global: "take", table)) { error in
            XCTAssertTrue("\(error)".contains("interrupted while copying"), "\(error)")
        }
    }

    /// A result of a call into Lua is bounded too, and says so as a Lua error.
    func testResultsAreBounded() throws {
        let lua = try LuaState()
        XCTAssertThrowsError(try lua.execute("""
            local t = {}
            for _ = 1, 40 do t = { a = t, b = t } end
            return t
            """)) { error in
            XCTAssertTrue((error as? LuaError)?.message.contains("table too large") == true, "\(error)")
        }
    }
}
