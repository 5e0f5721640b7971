import LuaBinding

/// Lua values crossing into Swift stay bounded (docs/design.md, invariant 16): the fuzz input
/// is a program of steps that builds tables in Lua - nesting, sharing one table many times
/// (the 2^depth repro), long strings, long lists, cycles - and passes the result to a Swift
/// function. Either the copy arrives holding no more than the bound's values, or the call
/// fails with the bad-argument error (or the memory cap's); never a trap, a hang or a
/// copy of exponential size.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLuaCrossing(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    guard let lua = try? LuaState(memoryLimit: 16 << 20) else { return 0 }
    var copied: LuaValue = .nil
    do {
        try lua.setGlobal("take", try lua.function("take") { args in
            copied = args[1]
            return [.integer(Int64(args.count))]
        })
        let builder = try lua.load(Array(build.utf8), chunkName: "=build")
        let result = try lua.call(builder, [.bytes(Array(input.bytes))])
        if result.first == .boolean(true) {
            // The bound counts a table as often as the copy holds it (what a walk would see).
            var seen = 0
            precondition(expandedCount(copied, &seen, limit: maxValues + 1) <= maxValues,
                         "a copy of more than \(maxValues) values crossed")
        } else {
            let message = result.count > 1 ? result[1].stringValue ?? "" : ""
            precondition(message.contains("bad argument #1 to 'take' (table") || message.contains("not enough memory"),
                         "unexpected refusal: \(message)")
        }
    } catch {
        // The builder itself ran out of the memory cap: an error, not a trap.
    }
    precondition(lua.stackTop == 0, "the binding left \(lua.stackTop) values on the stack")
    return 0
}

/// The bound of `CopyBudget` (internal to the binding): values per copy.
private let maxValues = 250_000

/// Steps, one byte each: the low 3 bits choose the step, the rest a table of the pool
/// (0: the newest, so a run of zero bytes nests a table shared twice at every level).
private let build = """
    local bytes = ...
    local pool = { {} }
    for i = 1, #bytes do
      local b = bytes:byte(i)
      local op, a = b % 8, pool[#pool - (b // 8) % #pool]
      if op == 0 then pool[#pool + 1] = { a, a }
      elseif op == 1 then pool[#pool + 1] = { x = a, y = a, z = a }
      elseif op == 2 then a[#a + 1] = string.rep("s", b * 1021)
      elseif op == 3 then for k = 1, b * 97 do a[#a + 1] = k end
      elseif op == 4 then a.back = pool[#pool]
      elseif op == 5 then pool[#pool + 1] = { [a] = true }
      elseif op == 6 then local t = a for _ = 1, b do t = { t } end pool[#pool + 1] = t
      else a[b] = 0.5 end
    end
    return pcall(take, pool[#pool])
    """

/// How many values `value` holds when every shared table is counted each time; stops at `limit`.
private func expandedCount(_ value: LuaValue, _ count: inout Int, limit: Int) -> Int {
    count += 1
    guard count < limit, case .table(let t) = value else { return count }
    for (k, v) in t.entries {
        _ = expandedCount(k, &count, limit: limit)
        _ = expandedCount(v, &count, limit: limit)
        if count >= limit { break }
    }
    return count
}
