import LuaBinding
import XCTest

final class ConversionTests: XCTestCase {
    func testScalarsRoundTrip() throws {
        let lua = try LuaState()
        let echo = try lua.function("echo") { args in args.values }
        try lua.setGlobal("echo", echo)
        let r = try lua.execute("return echo(nil, true, 3, 3.0, 'hé', 2^53)")
        XCTAssertEqual(r.count, 6)
        XCTAssertEqual(r[0], .nil)
        XCTAssertEqual(r[1], .boolean(true))
        guard case .integer(3) = r[2] else { return XCTFail("3 must stay an integer, got \(r[2])") }
        guard case .number(3.0) = r[3] else { return XCTFail("3.0 must stay a float, got \(r[3])") }
        XCTAssertEqual(r[4], .string("hé"))
        XCTAssertEqual(r[5].doubleValue, 9007199254740992)
    }

    func testMathTypeSurvivesTheTripFromSwift() throws {
        let lua = try LuaState()
        try lua.setGlobal("i", .integer(7))
        try lua.setGlobal("f", .number(7))
        let r = try lua.execute("return math.type(i), math.type(f)")
        XCTAssertEqual(r, [.string("integer"), .string("float")])
    }

    func testBinaryStringsAreByteExact() throws {
        let lua = try LuaState()
        let bytes: [UInt8] = [0, 255, 10, 0xC3, 0x28, 0]
        try lua.setGlobal("b", .bytes(bytes))
        let r = try lua.execute("return #b, b")
        XCTAssertEqual(r[0], .integer(6))
        XCTAssertEqual(r[1].bytesValue, bytes)
    }

    func testNestedTablesBothWays() throws {
        let lua = try LuaState()
        let value: LuaValue = ["list": [1, 2, ["deep": "x"]], "flag": false, "n": 1.5]
        try lua.setGlobal("t", value)
        let r = try lua.execute("return t.list[3].deep, #t.list, t.flag, t")
        XCTAssertEqual(r[0], "x")
        XCTAssertEqual(r[1], .integer(3))
        XCTAssertEqual(r[2], .boolean(false))
        XCTAssertEqual(r[3], value)
        XCTAssertEqual(r[3].tableValue?["list"].tableValue?.array.count, 3)
    }

    func testCyclicTableIsAnErrorNotARecursion() throws {
        let lua = try LuaState()
        try lua.setGlobal("take", try lua.function("take") { _ in [] })
        XCTAssertThrowsError(try lua.execute("local t = {}; t.self = t; take(t)")) { error in
            XCTAssertTrue("\(error)".contains("cycle"), "\(error)")
        }
    }

    func testFunctionsComeBackByReference() throws {
        let lua = try LuaState()
        let r = try lua.execute("return function(a, b) return a .. b end")
        guard case .function(let f) = r[0] else { return XCTFail("expected a function") }
        XCTAssertEqual(try lua.call(f, ["ab", 1]), [.string("ab1")])
    }

    func testRawAccessIgnoresMetamethods() throws {
        let lua = try LuaState()
        try lua.setGlobal("take", try lua.function("take") { args in [args[1]] })
        // __index / __pairs must not run while Swift copies the table.
        let r = try lua.execute("""
            local t = setmetatable({a = 1}, {__index = function() error("boom") end,
                                             __pairs = function() error("boom") end})
            return take(t)
            """)
        XCTAssertEqual(r[0], ["a": 1])
    }
}

/// Lua floats become integers only when exact: no conversion from a Lua number can trap.
final class IntegerConversionTests: XCTestCase {
    func testIntegerValueIsExactOrNil() {
        XCTAssertEqual(LuaValue.number(42).integerValue, 42)
        XCTAssertEqual(LuaValue.number(-9_223_372_036_854_775_808).integerValue, Int64.min)
        XCTAssertNil(LuaValue.number(9_223_372_036_854_775_808).integerValue)
        XCTAssertNil(LuaValue.number(1e300).integerValue)
        XCTAssertNil(LuaValue.number(.nan).integerValue)
        XCTAssertNil(LuaValue.number(.infinity).integerValue)
        XCTAssertNil(LuaValue.number(-.infinity).integerValue)
        XCTAssertNil(LuaValue.number(0.5).integerValue)
    }
}

/// Option numbers are range-checked where they are read.
final class OptionRangeTests: XCTestCase {
    private func options(_ source: String) throws -> LuaOptions {
        let lua = try LuaState()
        guard case .table(let t) = try lua.execute("return " + source)[0] else { throw LuaError(message: "no table") }
        return try LuaArguments(function: "f", values: [.table(t)], state: lua).options(1, allowed: ["timeout", "repeat"])
    }

    func testNonNegativeRefusesHugeNaNAndNegative() throws {
        let tenYears = 10 * 365.25 * 86_400
        XCTAssertEqual(try options("{ timeout = 2.5 }").nonNegative("timeout", maximum: tenYears), 2.5)
        XCTAssertThrowsError(try options("{ timeout = 1e300 }").nonNegative("timeout", maximum: tenYears)) { error in
            XCTAssertEqual("\(error)", "bad argument #1 to 'f' (field 'timeout' must be at most 315576000.0, got 1e+300)")
        }
        XCTAssertThrowsError(try options("{ timeout = 0/0 }").nonNegative("timeout", maximum: tenYears))
        XCTAssertThrowsError(try options("{ timeout = -1 }").nonNegative("timeout", maximum: tenYears))
        XCTAssertThrowsError(try options("{ timeout = math.huge }").nonNegative("timeout", maximum: tenYears))
    }

    func testIntegerInRange() throws {
        XCTAssertEqual(try options("{ ['repeat'] = 3 }").integer("repeat", in: 1...100), 3)
        XCTAssertThrowsError(try options("{ ['repeat'] = 2^62 }").integer("repeat", in: 1...100)) { error in
            XCTAssertEqual("\(error)", "bad argument #1 to 'f' (field 'repeat' must be 1-100, got 4611686018427387904)")
        }
        XCTAssertThrowsError(try options("{ ['repeat'] = 1e300 }").integer("repeat", in: 1...100))
    }
}
