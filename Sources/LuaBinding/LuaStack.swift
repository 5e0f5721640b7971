import CLua
import CLuaShim

/// Moves values between Swift and one Lua stack. Uses raw accesses only, so no
/// metamethod of a foreign value can run (and raise) inside a Swift frame.
struct LuaStack {
    let L: OpaquePointer
    let handle: LuaStateHandle

    /// Nesting deeper than this is refused rather than recursing without bound.
    static let maxDepth = 200

    // MARK: Swift -> Lua

    /// Pushes `value`; `.table` creates a new Lua table each time.
    func push(_ value: LuaValue) {
        switch value {
        case .nil: lua_pushnil(L)
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s):
            var s = s
            s.withUTF8 { pushBytes(UnsafeRawBufferPointer($0)) }
        case .bytes(let b):
            b.withUnsafeBytes { pushBytes($0) }
        case .table(let t): push(t)
        case .function(let r), .reference(let r): r.push(L)
        }
    }

    private func pushBytes(_ buf: UnsafeRawBufferPointer) {
        if let base = buf.baseAddress {
            lua_pushlstring(L, base.assumingMemoryBound(to: CChar.self), buf.count)
        } else {
            lua_pushlstring(L, "", 0)
        }
    }

    /// Pushes a new table holding `table`'s entries (nesting is bounded by the caller's
    /// `ensureSpace`; each level needs three slots).
    func push(_ table: LuaTable) {
        let n = table.count
        lua_createtable(L, Int32(n), Int32(table.entries.count - n))
        for (k, v) in table.entries {
            push(k)
            push(v)
            lua_rawset(L, -3)
        }
    }

    // MARK: Lua -> Swift

    /// Copies the value at `index` (tables deeply; functions and userdata by reference).
    /// On a throw the stack is back where it was (no half-copied keys left behind).
    func value(at index: Int32) throws -> LuaValue {
        var visiting = Set<UnsafeRawPointer>()
        let top = lua_gettop(L)
        do {
            return try value(at: lua_absindex(L, index), depth: 0, visiting: &visiting)
        } catch {
            lua_settop(L, top)
            throw error
        }
    }

    /// Makes room for pushing `value`: three slots per level of table nesting, plus slack.
    /// Also refuses references that belong to another (or a closed) state: pushing one
    /// would read a foreign registry slot.
    func ensureSpace(for value: LuaValue) throws {
        guard lua_checkstack(L, Int32(3 * LuaStack.depth(of: value) + 8)) != 0 else {
            throw LuaRuntimeError("value nested too deeply to pass to Lua")
        }
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

    private func value(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>) throws -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNONE, LUA_TNIL: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if ns_isinteger(L, index) != 0 { return .integer(Int64(lua_tointegerx(L, index, nil))) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING: return .fromBytes(bytes(at: index))
        case LUA_TTABLE: return .table(try table(at: index, depth: depth, visiting: &visiting))
        case LUA_TFUNCTION: return .function(reference(at: index))
        default: return .reference(reference(at: index))
        }
    }

    /// The bytes of the string at `index`; only call on a real string (never converts numbers in place).
    func bytes(at index: Int32) -> [UInt8] {
        var len = 0
        guard let p = ns_tolstring(L, index, &len) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: len))
    }

    private func table(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>) throws -> LuaTable {
        guard depth < LuaStack.maxDepth else { throw LuaRuntimeError("table nested too deeply") }
        // lua_push* never checks bounds: each level of a nested table needs room for key and value.
        guard lua_checkstack(L, 4) != 0 else { throw LuaRuntimeError("table nested too deeply") }
        guard let id = lua_topointer(L, index) else { return LuaTable() }
        guard visiting.insert(id).inserted else { throw LuaRuntimeError("table contains a cycle") }
        defer { visiting.remove(id) }
        var result = LuaTable()
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            // Keys must stay untouched for lua_next: copy, never convert in place.
            let key = try value(at: lua_absindex(L, -2), depth: depth + 1, visiting: &visiting)
            let val = try value(at: lua_absindex(L, -1), depth: depth + 1, visiting: &visiting)
            result[key] = val
            ns_pop(L, 1)
        }
        return result
    }

    /// A registry reference to the value at `index`.
    func reference(at index: Int32) -> LuaRef {
        let typeName = String(cString: lua_typename(L, lua_type(L, index)))
        lua_pushvalue(L, index)
        return LuaRef(owner: handle, ref: ns_ref(L), typeName: typeName)
    }

    /// The Lua type name of the value at `index` ("no value" past the top).
    func typeName(at index: Int32) -> String {
        let t = lua_type(L, index)
        return t == LUA_TNONE ? "no value" : String(cString: lua_typename(L, t))
    }
}
