import LuaBinding

/// The binding under random Lua: fuzz-derived text chunks run in a fresh, capped state
/// (their results, cyclic tables and all, are copied to Swift and back), and random nested
/// Swift values go to Lua and back unchanged. Nothing may trap, leak stack slots or crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLuaValue(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    guard let lua = try? LuaState(memoryLimit: 4 << 20) else { return 0 }
    // Count-hook ticks of 10000 instructions: a loop ends after 20000. One instruction may
    // copy a whole string, so a small cap and budget keep every input fast under ASan.
    var budget = 2
    lua.interruptCheck = {
        budget -= 1
        return budget < 0
    }
    do {
        try lua.setGlobal("echo", try lua.function("echo") { args in args.values })
        try lua.setGlobal("call", try lua.function("call") { args in try args.state.call(args.function(1), Array(args.values.dropFirst())) })
        try lua.execute(confine)
    } catch {
        preconditionFailure("setting up the state failed: \(error)")
    }
    let mode = input.byte()
    if mode & 1 == 0 {
        runChunk(lua, String(decoding: input.bytes.dropFirst(), as: UTF8.self))
    } else {
        var nodes = 0
        let values = (0..<(Int(input.byte()) % 4 + 1)).map { _ in randomValue(&input, depth: 0, nodes: &nodes) }
        roundTrip(lua, values)
    }
    precondition(lua.stackTop == 0, "the binding left \(lua.stackTop) values on the stack")
    return 0
}

/// No file, process or debug access for fuzz-made code, text chunks only; Lua's pattern
/// matcher is out too (it backtracks inside one C call, where no hook can stop it), and
/// string.rep makes at most 64 KiB.
private let confine = """
    os, io, package, require, dofile, loadfile, debug = nil, nil, nil, nil, nil, nil, nil
    string.dump, string.find, string.match, string.gmatch, string.gsub = nil, nil, nil, nil, nil
    local raw_load, raw_collect, raw_rep = load, collectgarbage, string.rep
    string.rep = function(s, n, sep) if #tostring(s) * (tonumber(n) or 0) > 65536 then error("too long") end return raw_rep(s, n, sep) end
    load = function(chunk, name) return raw_load(chunk, name, "t") end
    collectgarbage = function() return raw_collect("count") end
    identity = function(...) return ... end
    """

private func runChunk(_ lua: LuaState, _ source: String) {
    guard let chunk = try? lua.load(Array(source.utf8), chunkName: "=fuzz") else { return }
    guard let results = try? lua.call(chunk) else { return }
    roundTrip(lua, results)
}

/// Values that went to Lua and back through `identity` compare equal. A function is left out
/// of the comparison: each trip through Swift gives the same Lua function a new `LuaRef`, and
/// `LuaValue` compares refs by object identity (found by this target: `return {math.abs}`).
private func roundTrip(_ lua: LuaState, _ values: [LuaValue]) {
    guard case .function(let identity) = (try? lua.global("identity")) ?? .nil else { return }
    do {
        let back = try lua.call(identity, values)
        precondition(back.count == values.count, "identity returned \(back.count) of \(values.count) values")
        for (a, b) in zip(values, back) where !containsNaN(a) && !containsFunction(a) {
            precondition(a == b, "round trip changed \(a) into \(b)")
        }
    } catch {
        // Out of memory or too deep: an error is fine, a trap is not.
    }
}

private func containsFunction(_ v: LuaValue) -> Bool {
    switch v {
    case .function, .reference: return true
    case .table(let t): return t.entries.contains { containsFunction($0.key) || containsFunction($0.value) }
    default: return false
    }
}

private func containsNaN(_ v: LuaValue) -> Bool {
    switch v {
    case .number(let d): return d.isNaN
    case .table(let t): return t.entries.contains { containsNaN($0.key) || containsNaN($0.value) }
    default: return false
    }
}

private func randomValue(_ input: inout FuzzInput, depth: Int, nodes: inout Int) -> LuaValue {
    nodes += 1
    switch input.byte() % 8 {
    case 0: return .nil
    case 1: return .boolean(input.byte() & 1 == 1)
    case 2: return .integer(Int64(bitPattern: input.uint64()))
    case 3: return .number(input.double())
    case 4: return .string(input.string())
    case 5: return .bytes(Array(input.string().utf8) + [0xFF])
    default:
        guard depth < 12, nodes < 300 else { return .integer(Int64(depth)) }
        var t = LuaTable()
        for _ in 0..<(Int(input.byte()) % 6) {
            let key = randomValue(&input, depth: depth + 1, nodes: &nodes)
            t[key] = randomValue(&input, depth: depth + 1, nodes: &nodes)
        }
        return .table(t)
    }
}
