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
/// Every call into Lua is protected (`pcall` with a traceback handler), Swift functions
/// are reached through a C trampoline, and every push that allocates runs in a protected
/// C call, so neither a Lua error nor running out of Lua memory ever unwinds through a
/// Swift frame. The allocator is capped (`memoryLimit`): a runaway script gets
/// "not enough memory", the process keeps its memory.
public final class LuaState {
    let handle: LuaStateHandle
    /// The thread currently running: the main one, or a coroutine calling Swift.
    var currentL: OpaquePointer
    /// Polled every 10000 Lua instructions; returning true raises "interrupted" in Lua.
    public var interruptCheck: (() -> Bool)?
    /// Opens and closes the time scopes of `boundedCall` (the owner's time budget);
    /// nil: `boundedCall` raises "not available". `interruptCheck` is what enforces them.
    public var timeScopes: LuaTimeScopes?

    /// The default cap of the allocator: 512 MiB.
    public static let defaultMemoryLimit = 512 << 20

    /// Opens a new state with the standard libraries; its allocator refuses to hold more
    /// than `memoryLimit` bytes (0: no cap).
    public init(memoryLimit: Int = LuaState.defaultMemoryLimit) throws {
        _ = installDispatcher
        _ = installScopes
        guard let L = ns_newstate(max(0, memoryLimit)) else { throw LuaError(message: "cannot create Lua state (out of memory)") }
        handle = LuaStateHandle(L)
        currentL = L
        handle.owner = self
        // Unretained: the hook only runs while the state is open, and close() runs in deinit.
        ns_set_owner(L, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { close() }

    /// Closes the state, running finalizers and releasing every Swift function it held.
    public func close() {
        guard let L = handle.L else { return }
        handle.L = nil
        ns_close(L)
    }

    /// The Lua function `bounded(limit, label, fn, ...)`: calls `fn` in protected mode inside a
    /// time scope of `limit` seconds (see `timeScopes`) and returns `true, results...`, or
    /// `false, message, timed_out`. It is C, so the error of a stopped call lands in C.
    public func boundedCall() throws -> LuaValue {
        guard lua_checkstack(currentL, 2) != 0 else { throw LuaError(message: "stack overflow (cannot pass a value to Lua)") }
        ns_push_bounded(currentL)
        defer { ns_pop(currentL, 1) }
        return .function(try stack.reference(at: -1))
    }

    private var stack: LuaStack { LuaStack(L: currentL, handle: handle) }

    /// The number of values on the current stack (for balance checks).
    public var stackTop: Int32 { lua_gettop(currentL) }

    // MARK: Memory

    /// The allocator's cap in bytes (0: none). Lowering it below what the state holds keeps
    /// the memory held; the next allocations fail until enough is collected.
    public var memoryLimit: Int {
        get { handle.L.map { Int(ns_memory_limit($0)) } ?? 0 }
        set { if let L = handle.L { ns_set_memory_limit(L, max(0, newValue)) } }
    }

    /// The bytes the state holds now.
    public var memoryUsed: Int { handle.L.map { Int(ns_memory_used($0)) } ?? 0 }

    /// How the cap is named in the out-of-memory message (a host names its setting here):
    /// `not enough memory (NAME limit 512 MiB reached)`.
    public var memoryLimitName: String {
        get { handle.memoryLimitName }
        set { handle.memoryLimitName = newValue }
    }

    /// How the cap's size is written in the out-of-memory message (default: a byte count).
    public var describeBytes: @Sendable (Int) -> String {
        get { handle.describeBytes }
        set { handle.describeBytes = newValue }
    }

    /// The message a script gets when the cap refused an allocation.
    public var memoryErrorMessage: String { handle.memoryMessage(limit: memoryLimit) }

    /// `text` with "not enough memory" replaced by `memoryErrorMessage` when the cap has
    /// refused an allocation (a real shortage of the machine stays as Lua said it).
    public func explainMemoryError(_ text: String) -> String {
        guard let L = handle.L else { return text }
        return handle.explain(L, text)
    }

    /// After a failed call: the message naming the cap when the cap was hit, and a full
    /// collection so that what the failed code left behind is gone before Swift goes on.
    private func recover(from error: LuaError, refusalsBefore: Int) -> LuaError {
        guard let L = handle.L, Int(ns_memory_refusals(L)) != refusalsBefore else { return error }
        _ = ns_collect(currentL)
        return LuaError(message: handle.explain(L, error.message), traceback: error.traceback)
    }

    private var refusals: Int { handle.L.map { Int(ns_memory_refusals($0)) } ?? 0 }

    // MARK: Loading and calling

    /// Compiles Lua source text (binary chunks are refused) into a function.
    /// `chunkName` as in `luaL_loadbuffer`: "@path/file.lua" makes errors read `file.lua:LINE:`.
    public func load(_ source: [UInt8], chunkName: String) throws -> LuaRef {
        try load(source, chunkName: chunkName, mode: "t")
    }

    /// Loads a binary chunk made by `lua_dump` of this same Lua library (the embedded
    /// standard library, precompiled at build time): no parsing at start-up.
    ///
    /// Only for bytes this program built: Lua does not verify binary chunks, so a crafted
    /// one can corrupt memory. Never for a script or anything read at run time.
    public func loadPrecompiled(_ bytecode: [UInt8], chunkName: String) throws -> LuaRef {
        try load(bytecode, chunkName: chunkName, mode: "b")
    }

    private func load(_ bytes: [UInt8], chunkName: String, mode: String) throws -> LuaRef {
        let L = currentL
        let before = refusals
        // luaL_loadbufferx parses inside lua_load's own protected call: no error escapes it.
        let status = bytes.withUnsafeBufferPointer { buf in
            UnsafeRawPointer(buf.baseAddress).map {
                luaL_loadbufferx(L, $0.assumingMemoryBound(to: CChar.self), buf.count, chunkName, mode)
            } ?? luaL_loadbufferx(L, "", 0, chunkName, mode)
        }
        guard status == LUA_OK else { throw recover(from: popError(), refusalsBefore: before) }
        defer { ns_pop(L, 1) }
        return try stack.reference(at: -1)
    }

    /// Loads and runs a chunk, returning its results.
    @discardableResult
    public func execute(_ source: String, chunkName: String = "=(string)") throws -> [LuaValue] {
        try call(load(Array(source.utf8), chunkName: chunkName), [])
    }

    /// Pushes `function` and `arguments` for a call; throws with the stack as before.
    private func pushCall(_ function: LuaRef, _ arguments: [LuaValue]) throws {
        let L = currentL
        guard lua_checkstack(L, Int32(clamping: arguments.count) + 20) != 0 else {
            throw LuaError(message: "stack overflow (too many arguments)")
        }
        guard function.owner === handle else { throw LuaError(message: "function of another Lua state") }
        for a in arguments { try stack.ensureSpace(for: a) }
        function.push(L)
        do { try stack.push(arguments) } catch { ns_pop(L, 1); throw error }
    }

    /// Calls a Lua function in protected mode with a traceback handler.
    @discardableResult
    public func call(_ function: LuaRef, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        let L = currentL
        let base = lua_gettop(L)
        let before = refusals
        do {
            try pushCall(function, arguments)
        } catch let error as LuaError {
            throw recover(from: error, refusalsBefore: before)
        }
        guard ns_pcall_traceback(L, Int32(arguments.count), LUA_MULTRET) == LUA_OK else {
            let error = popError(handled: true)
            assert(lua_gettop(L) == base, "unbalanced stack after failed call")
            throw recover(from: error, refusalsBefore: before)
        }
        defer { lua_settop(L, base) }
        do {
            return try (base + 1...max(base + 1, lua_gettop(L))).compactMap { i in
                i <= lua_gettop(L) ? try stack.value(at: i) : nil
            }
        } catch let error as LuaError {
            throw recover(from: error, refusalsBefore: before)
        } catch let refusal as CopyRefusal {
            throw LuaError(message: "cannot copy a result into Swift (\(refusal.reason))")
        }
    }

    /// Calls a Lua function in protected mode and drops its results (which may be
    /// anything, cyclic tables included, so they are never copied).
    public func callIgnoringResults(_ function: LuaRef, _ arguments: [LuaValue] = []) throws {
        let L = currentL
        let base = lua_gettop(L)
        let before = refusals
        do {
            try pushCall(function, arguments)
        } catch let error as LuaError {
            throw recover(from: error, refusalsBefore: before)
        }
        guard ns_pcall_traceback(L, Int32(arguments.count), 0) == LUA_OK else {
            throw recover(from: popError(handled: true), refusalsBefore: before)
        }
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
        guard lua_checkstack(L, 3) != 0 else { throw LuaError(message: "stack overflow (cannot pass a function to Lua)") }
        let box = Unmanaged.passRetained(SwiftFunctionBox(name: name, body: body, state: self))
        guard ns_pushswiftfunction(L, box.toOpaque()) == LUA_OK else { throw LuaError(message: handle.explain(L, popError().message)) }
        defer { ns_pop(L, 1) }
        return .function(try stack.reference(at: -1))
    }

    /// Sets a global without invoking metamethods of `_G` (works under strict globals).
    public func setGlobal(_ name: String, _ value: LuaValue) throws {
        try stack.ensureSpace(for: value)
        try stack.setGlobal(name, value)
    }

    /// Reads a global without invoking metamethods of `_G`.
    public func global(_ name: String) throws -> LuaValue {
        let L = currentL
        try stack.push([.string(name)])
        ns_pushglobaltable(L)
        lua_rotate(L, -2, 1)
        lua_rawget(L, -2)
        defer { ns_pop(L, 2) }
        return try copied { try stack.value(at: -1) }
    }

    /// Reads `table[key]` raw, for a table held by reference.
    public func rawGet(_ table: LuaRef, _ key: LuaValue) throws -> LuaValue {
        let L = currentL
        try stack.ensureSpace(for: key)
        guard table.owner === handle else { throw LuaError(message: "table of another Lua state") }
        try stack.push(key)
        table.push(L)
        guard lua_type(L, -1) == LUA_TTABLE else { ns_pop(L, 2); throw LuaError(message: "not a table") }
        lua_rotate(L, -2, 1)
        lua_rawget(L, -2)
        defer { ns_pop(L, 2) }
        return try copied { try stack.value(at: -1) }
    }

    /// Pushes a value into the state and keeps it by reference (a table keeps its identity).
    public func reference(_ value: LuaValue) throws -> LuaRef {
        try stack.ensureSpace(for: value)
        try stack.push(value)
        defer { ns_pop(currentL, 1) }
        return try stack.reference(at: -1)
    }

    /// Copies a referenced value back into Swift.
    public func value(of ref: LuaRef) throws -> LuaValue {
        guard lua_checkstack(currentL, 1) != 0 else { throw LuaError(message: "stack overflow") }
        ref.push(currentL)
        defer { ns_pop(currentL, 1) }
        return try copied { try stack.value(at: -1) }
    }

    /// A copy into Swift, its refusal worded as a Lua error (callers handle `LuaError`).
    private func copied(_ body: () throws -> LuaValue) throws -> LuaValue {
        do {
            return try body()
        } catch let refusal as CopyRefusal {
            throw LuaError(message: "cannot copy a value into Swift (\(refusal.reason))")
        }
    }
}
