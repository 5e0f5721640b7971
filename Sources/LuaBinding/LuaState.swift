import CLua
import CLuaShim

/// The owner's time budget, as `boundedCall` needs it.
public struct LuaTimeScopes {
    /// Opens a scope of `limit` seconds named `label`; returns its depth.
    public var open: (_ limit: Double, _ label: String) -> Int
    /// Closes the scope at `depth`; true when it ran out of time.
    public var close: (_ depth: Int) -> Bool

    /// Creates the callbacks.
    public init(open: @escaping (Double, String) -> Int, close: @escaping (Int) -> Bool) {
        self.open = open
        self.close = close
    }
}

/// One Lua 5.4 state, with the standard libraries open. Confined to one thread.
///
/// Every call into Lua is protected (`pcall` with a traceback handler), and Swift
/// functions are reached through a C trampoline, so a Lua error never unwinds
/// through a Swift frame. (Allocation failure inside the Lua API is the one case
/// treated as fatal, as in most embeddings.)
public final class LuaState {
    let handle: LuaStateHandle
    /// The thread currently running: the main one, or a coroutine calling Swift.
    var currentL: OpaquePointer
    /// Polled every 10000 Lua instructions; returning true raises "interrupted" in Lua.
    public var interruptCheck: (() -> Bool)?
    /// Opens and closes the time scopes of `boundedCall` (the owner's time budget);
    /// nil: `boundedCall` raises "not available". `interruptCheck` is what enforces them.
    public var timeScopes: LuaTimeScopes?

    /// Opens a new state with the standard libraries.
    public init() throws {
        _ = installDispatcher
        _ = installScopes
        guard let L = ns_newstate() else { throw LuaError(message: "cannot create Lua state (out of memory)") }
        handle = LuaStateHandle(L)
        currentL = L
        // Unretained: the hook only runs while the state is open, and close() runs in deinit.
        ns_set_owner(L, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { close() }

    /// Closes the state, running finalizers and releasing every Swift function it held.
    public func close() {
        guard let L = handle.L else { return }
        handle.L = nil
        lua_close(L)
    }

    /// Lets Lua run normally again after `interruptCheck` stopped it and the caller handled
    /// the stop (until then every instruction raises, so no `pcall` loop swallows it).
    public func resetInterruptHook() {
        guard let L = handle.L else { return }
        ns_reset_hook(L)
        if currentL != L { ns_reset_hook(currentL) }
    }

    /// The Lua function `bounded(limit, label, fn, ...)`: calls `fn` in protected mode inside a
    /// time scope of `limit` seconds (see `timeScopes`) and returns `true, results...`, or
    /// `false, message, timed_out`. It is C, so the error of a stopped call lands in C.
    public func boundedCall() -> LuaValue {
        ns_push_bounded(currentL)
        defer { ns_pop(currentL, 1) }
        return .function(stack.reference(at: -1))
    }

    private var stack: LuaStack { LuaStack(L: currentL, handle: handle) }

    /// The number of values on the current stack (for balance checks).
    public var stackTop: Int32 { lua_gettop(currentL) }

    // MARK: Loading and calling

    /// Compiles Lua source text (binary chunks are refused) into a function.
    /// `chunkName` as in `luaL_loadbuffer`: "@path/file.lua" makes errors read `file.lua:LINE:`.
    public func load(_ source: [UInt8], chunkName: String) throws -> LuaRef {
        let L = currentL
        let status = source.withUnsafeBufferPointer { buf in
            UnsafeRawPointer(buf.baseAddress).map {
                ns_loadtext(L, $0.assumingMemoryBound(to: CChar.self), buf.count, chunkName)
            } ?? ns_loadtext(L, "", 0, chunkName)
        }
        guard status == LUA_OK else { throw popError() }
        defer { ns_pop(L, 1) }
        return stack.reference(at: -1)
    }

    /// Loads and runs a chunk, returning its results.
    @discardableResult
    public func execute(_ source: String, chunkName: String = "=(string)") throws -> [LuaValue] {
        try call(load(Array(source.utf8), chunkName: chunkName), [])
    }

    /// Calls a Lua function in protected mode with a traceback handler.
    @discardableResult
    public func call(_ function: LuaRef, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        let L = currentL
        let base = lua_gettop(L)
        guard lua_checkstack(L, Int32(arguments.count) + 20) != 0 else {
            throw LuaError(message: "stack overflow (too many arguments)")
        }
        function.push(L)
        for a in arguments {
            do { try stack.ensureSpace(for: a) } catch { lua_settop(L, base); throw error }
            stack.push(a)
        }
        guard ns_pcall_traceback(L, Int32(arguments.count), LUA_MULTRET) == LUA_OK else {
            let error = popError(handled: true)
            assert(lua_gettop(L) == base, "unbalanced stack after failed call")
            return try { throw error }()
        }
        defer { lua_settop(L, base) }
        return try (base + 1...max(base + 1, lua_gettop(L))).compactMap { i in
            i <= lua_gettop(L) ? try stack.value(at: i) : nil
        }
    }

    /// Calls a Lua function in protected mode and drops its results (which may be
    /// anything, cyclic tables included, so they are never copied).
    public func callIgnoringResults(_ function: LuaRef, _ arguments: [LuaValue] = []) throws {
        let L = currentL
        let base = lua_gettop(L)
        guard lua_checkstack(L, Int32(arguments.count) + 20) != 0 else { throw LuaError(message: "stack overflow (too many arguments)") }
        function.push(L)
        for a in arguments {
            do { try stack.ensureSpace(for: a) } catch { lua_settop(L, base); throw error }
            stack.push(a)
        }
        guard ns_pcall_traceback(L, Int32(arguments.count), 0) == LUA_OK else { throw popError(handled: true) }
        assert(lua_gettop(L) == base, "unbalanced stack after call")
    }

    /// Calls the global function `name`.
    @discardableResult
    public func call(global name: String, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        guard case .function(let f) = try global(name) else {
            throw LuaError(message: "global '\(name)' is not a function")
        }
        return try call(f, arguments)
    }

    private func popError(handled: Bool = false) -> LuaError {
        let L = currentL
        defer { ns_pop(L, 1) }
        let text: String
        if lua_type(L, -1) == LUA_TSTRING {
            text = String(decoding: stack.bytes(at: -1), as: UTF8.self)
        } else {
            text = "(error object is a \(stack.typeName(at: -1)) value)"
        }
        return handled ? LuaError(handled: text) : LuaError(message: text)
    }

    // MARK: Values

    /// Wraps a Swift closure as a Lua function value. `name` appears in argument errors.
    public func function(_ name: String, _ body: @escaping LuaSwiftFunction) throws -> LuaValue {
        let L = currentL
        let box = Unmanaged.passRetained(SwiftFunctionBox(name: name, body: body, state: self))
        guard ns_pushswiftfunction(L, box.toOpaque()) == LUA_OK else { throw popError() }
        defer { ns_pop(L, 1) }
        return .function(stack.reference(at: -1))
    }

    /// Sets a global without invoking metamethods of `_G` (works under strict globals).
    public func setGlobal(_ name: String, _ value: LuaValue) {
        let L = currentL
        precondition((try? stack.ensureSpace(for: value)) != nil, "value nested too deeply for setGlobal")
        ns_pushglobaltable(L)
        stack.push(.string(name))
        stack.push(value)
        lua_rawset(L, -3)
        ns_pop(L, 1)
    }

    /// Reads a global without invoking metamethods of `_G`.
    public func global(_ name: String) throws -> LuaValue {
        let L = currentL
        ns_pushglobaltable(L)
        stack.push(.string(name))
        lua_rawget(L, -2)
        defer { ns_pop(L, 2) }
        return try stack.value(at: -1)
    }

    /// Reads `table[key]` raw, for a table held by reference.
    public func rawGet(_ table: LuaRef, _ key: LuaValue) throws -> LuaValue {
        let L = currentL
        table.push(L)
        guard lua_type(L, -1) == LUA_TTABLE else { ns_pop(L, 1); throw LuaError(message: "not a table") }
        stack.push(key)
        lua_rawget(L, -2)
        defer { ns_pop(L, 2) }
        return try stack.value(at: -1)
    }

    /// Pushes a value into the state and keeps it by reference (a table keeps its identity).
    public func reference(_ value: LuaValue) -> LuaRef {
        precondition((try? stack.ensureSpace(for: value)) != nil, "value nested too deeply for reference")
        stack.push(value)
        defer { ns_pop(currentL, 1) }
        return stack.reference(at: -1)
    }

    /// Copies a referenced value back into Swift.
    public func value(of ref: LuaRef) throws -> LuaValue {
        ref.push(currentL)
        defer { ns_pop(currentL, 1) }
        return try stack.value(at: -1)
    }
}
