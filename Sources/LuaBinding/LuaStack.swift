import CLua
import CLuaShim

/// Moves values between Swift and one Lua stack. Uses raw accesses only, so no
/// metamethod of a foreign value can run (and raise) inside a Swift frame; every
/// push that allocates runs in one protected C call, so running out of Lua memory
/// is an error, never a jump over a Swift frame.
struct LuaStack {
    let L: OpaquePointer
    let handle: LuaStateHandle

    /// Nesting deeper than this is refused rather than recursing without bound.
    static let maxDepth = 200

    // MARK: Swift -> Lua

    /// Pushes `value`; `.table` creates a new Lua table each time. On a throw the stack is
    /// as before.
    func push(_ value: LuaValue) throws {
        try push([value])
    }

    /// Pushes `values` in order, all or none.
    func push(_ values: [LuaValue]) throws {
        var program = PushProgram()
        for v in values { try program.add(v, depth: 0) }
        try run(program)
    }

    /// Pushes the global table, `name` and `value`, and sets the global raw (one protected call).
    func setGlobal(_ name: String, _ value: LuaValue) throws {
        var program = PushProgram()
        program.ops.append(PushProgram.op(NS_OP_GLOBALS))
        try program.add(.string(name), depth: 0)
        try program.add(value, depth: 0)
        program.ops.append(PushProgram.op(NS_OP_SET))
        try run(program)
        ns_pop(L, 1)
    }

    private func run(_ program: PushProgram) throws {
        guard lua_checkstack(L, 3) != 0 else { throw LuaError(message: "stack overflow (cannot pass a value to Lua)") }
        let top = lua_gettop(L)
        let status = program.ops.withUnsafeBufferPointer { ops in
            program.arena.withUnsafeBufferPointer { arena in
                ns_push_ops(L, ops.baseAddress, ops.count, UnsafeRawPointer(arena.baseAddress)?.assumingMemoryBound(to: CChar.self))
            }
        }
        guard status == LUA_OK else {
            let text = lua_type(L, -1) == LUA_TSTRING ? String(decoding: bytes(at: -1), as: UTF8.self) : "cannot pass a value to Lua"
            lua_settop(L, top)
            throw LuaError(message: handle.explain(L, text))
        }
    }

    // MARK: Lua -> Swift

    /// Copies the value at `index` (tables deeply; functions and userdata by reference),
    /// within the bounds of `CopyBudget` (throws `CopyRefusal` past them).
    /// On a throw the stack is back where it was (no half-copied keys left behind).
    func value(at index: Int32) throws -> LuaValue {
        var budget = makeBudget()
        return try value(at: index, budget: &budget)
    }

    /// A fresh budget for one copy: the state's memory cap, and its interruption check
    /// (the time budget and signals reach a copy of a huge table too).
    func makeBudget() -> CopyBudget {
        let owner = handle.owner
        return CopyBudget(memoryLimit: Int(ns_memory_limit(L)), describeBytes: handle.describeBytes) {
            owner?.interruptCheck?() == true
        }
    }

    /// Copies the value at `index`, counting it against `budget` (one budget for all the
    /// arguments of a call, so twenty large arguments are not twenty times the bound).
    func value(at index: Int32, budget: inout CopyBudget) throws -> LuaValue {
        var visiting = Set<UnsafeRawPointer>()
        let top = lua_gettop(L)
        do {
            return try value(at: lua_absindex(L, index), depth: 0, visiting: &visiting, budget: &budget)
        } catch {
            lua_settop(L, top)
            throw error
        }
    }

    /// Checks that `value` can be pushed: it must not be nested deeper than `maxDepth`, and
    /// its references must belong to this state (pushing one of another, or a closed, state
    /// would read a foreign registry slot).
    func ensureSpace(for value: LuaValue) throws {
        guard LuaStack.depth(of: value) <= LuaStack.maxDepth else { throw LuaRuntimeError("value nested too deeply to pass to Lua") }
        guard ownsReferences(in: value) else { throw LuaRuntimeError("value holds a function or object of another Lua state") }
    }

    private func ownsReferences(in value: LuaValue) -> Bool {
        switch value {
        case .function(let r), .reference(let r): return r.owner === handle
        case .table(let t): return t.entries.allSatisfy { ownsReferences(in: $0.key) && ownsReferences(in: $0.value) }
        default: return true
        }
    }

    /// How deeply tables nest inside `value` (0 for a scalar).
    static func depth(of value: LuaValue) -> Int {
        guard case .table(let t) = value else { return 0 }
        return 1 + t.entries.reduce(0) { max($0, depth(of: $1.key), depth(of: $1.value)) }
    }

    private func value(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>,
                       budget: inout CopyBudget) throws -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNONE, LUA_TNIL: return .nil
        case LUA_TBOOLEAN:
            try budget.add(values: 1, bytes: 0)
            return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            try budget.add(values: 1, bytes: 0)
            if ns_isinteger(L, index) != 0 { return .integer(Int64(lua_tointegerx(L, index, nil))) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            var len = 0
            _ = ns_tolstring(L, index, &len)
            // Counted before the bytes are copied: a string past the bound is never copied.
            try budget.add(values: 1, bytes: len)
            return .fromBytes(bytes(at: index))
        case LUA_TTABLE: return .table(try table(at: index, depth: depth, visiting: &visiting, budget: &budget))
        case LUA_TFUNCTION:
            try budget.add(values: 1, bytes: 0)
            return .function(try reference(at: index))
        default:
            try budget.add(values: 1, bytes: 0)
            return .reference(try reference(at: index))
        }
    }

    /// The bytes of the string at `index`; only call on a real string (never converts numbers in place).
    func bytes(at index: Int32) -> [UInt8] {
        var len = 0
        guard let p = ns_tolstring(L, index, &len) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: len))
    }

    private func table(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>,
                       budget: inout CopyBudget) throws -> LuaTable {
        try budget.add(values: 1, bytes: 0)
        guard depth < LuaStack.maxDepth else { throw CopyRefusal("table too deep: more than \(LuaStack.maxDepth) levels") }
        // lua_push* never checks bounds: each level of a nested table needs room for key and value.
        guard lua_checkstack(L, 4) != 0 else { throw CopyRefusal("table too deep: no room on the Lua stack") }
        guard let id = lua_topointer(L, index) else { return LuaTable() }
        guard !visiting.contains(id) else { throw CopyRefusal("table contains a cycle") }
        if let earlier = try budget.reuse(id) { return earlier }
        visiting.insert(id)
        defer { visiting.remove(id) }
        let mark = budget.mark
        var result = LuaTable()
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            // Keys must stay untouched for lua_next: copy, never convert in place.
            let key = try value(at: lua_absindex(L, -2), depth: depth + 1, visiting: &visiting, budget: &budget)
            let val = try value(at: lua_absindex(L, -1), depth: depth + 1, visiting: &visiting, budget: &budget)
            result[key] = val
            ns_pop(L, 1)
        }
        budget.remember(id, result, since: mark)
        return result
    }

    /// A registry reference to the value at `index`; throws when Lua is out of memory.
    func reference(at index: Int32) throws -> LuaRef {
        let typeName = String(cString: lua_typename(L, lua_type(L, index)))
        guard lua_checkstack(L, 1) != 0 else { throw LuaError(message: "stack overflow (cannot pass a value to Lua)") }
        lua_pushvalue(L, index)
        let ref = ns_ref(L)
        guard ref != LUA_NOREF else { throw LuaError(message: handle.explain(L, "not enough memory")) }
        return LuaRef(owner: handle, ref: ref, typeName: typeName)
    }

    /// The Lua type name of the value at `index` ("no value" past the top).
    func typeName(at index: Int32) -> String {
        let t = lua_type(L, index)
        return t == LUA_TNONE ? "no value" : String(cString: lua_typename(L, t))
    }
}

/// The steps `ns_push_ops` runs to build values, with the bytes of their strings in one arena
/// (so the C side needs no Swift object alive but the two arrays).
struct PushProgram {
    var ops: [ns_op] = []
    var arena: [UInt8] = []

    static func op(_ kind: Int, a: Int32 = 0, b: Int32 = 0) -> ns_op {
        var o = ns_op()
        o.kind = Int32(kind)
        o.a = a
        o.b = b
        return o
    }

    mutating func add(_ value: LuaValue, depth: Int) throws {
        switch value {
        case .nil: ops.append(Self.op(NS_OP_NIL))
        case .boolean(let b): ops.append(Self.op(NS_OP_BOOL, a: b ? 1 : 0))
        case .integer(let i):
            var o = Self.op(NS_OP_INT)
            o.i = lua_Integer(i)
            ops.append(o)
        case .number(let d):
            var o = Self.op(NS_OP_NUM)
            o.d = d
            ops.append(o)
        case .string(let s): addString(Array(s.utf8))
        case .bytes(let b): addString(b)
        case .table(let t):
            guard depth < LuaStack.maxDepth else { throw LuaRuntimeError("value nested too deeply to pass to Lua") }
            let n = t.count
            ops.append(Self.op(NS_OP_TABLE, a: Int32(clamping: n), b: Int32(clamping: t.entries.count - n)))
            for (k, v) in t.entries {
                try add(k, depth: depth + 1)
                try add(v, depth: depth + 1)
                ops.append(Self.op(NS_OP_SET))
            }
        case .function(let r), .reference(let r): ops.append(Self.op(NS_OP_REF, a: r.ref))
        }
    }

    private mutating func addString(_ bytes: [UInt8]) {
        var o = Self.op(NS_OP_STR)
        o.offset = arena.count
        o.length = bytes.count
        arena.append(contentsOf: bytes)
        ops.append(o)
    }
}
