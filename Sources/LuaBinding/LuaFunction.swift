import CLua
import CLuaShim

/// A Swift function callable from Lua. It returns its results, or throws:
/// `LuaArgumentError`/`LuaRuntimeError` (and any other error) become a Lua error
/// with the caller's `file:line:`; a `LuaError` from a nested call is re-raised as is.
public typealias LuaSwiftFunction = (LuaArguments) throws -> [LuaValue]

/// What the Lua closure's upvalue points at: the Swift function and its name.
final class SwiftFunctionBox {
    let name: String
    let body: LuaSwiftFunction
    weak var state: LuaState?

    init(name: String, body: @escaping LuaSwiftFunction, state: LuaState) {
        self.name = name
        self.body = body
        self.state = state
    }
}

/// Installs the dispatcher once per process (the C side keeps plain function pointers).
let installDispatcher: Void = ns_install(luaDispatch, luaRelease, luaInterruptCheck)

/// Installs the time-scope callbacks of `LuaState.boundedCall` once per process.
let installScopes: Void = ns_install_scopes(luaScopeOpen, luaScopeClose)

private let luaScopeOpen: ns_scope_open_fn = { owner, limit, label in
    guard let owner else { return 0 }
    let state = Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
    let name = label.map { String(cString: $0) } ?? "?"
    return Int32(clamping: state.timeScopes?.open(limit, name) ?? 0)
}

private let luaScopeClose: ns_scope_close_fn = { owner, depth in
    guard let owner else { return 0 }
    let state = Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
    return state.timeScopes?.close(Int(depth)) == true ? 1 : 0
}

/// Called from the count hook with the state's owner: should Lua stop now?
private let luaInterruptCheck: ns_interrupt_fn = { owner in
    guard let owner else { return 0 }
    let state = Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
    return state.interruptCheck?() == true ? 1 : 0
}

/// Called by the C trampoline. Never raises: on error it leaves one message on the
/// stack and returns `NS_RAISE` (or `NS_RAISE_WHERE` to have C prefix the caller's
/// `file:line:`), and C raises it after this frame has returned.
private let luaDispatch: ns_dispatch_fn = { L, rawBox in
    guard let L, let rawBox else { return NS_RAISE }
    let box = Unmanaged<SwiftFunctionBox>.fromOpaque(rawBox).takeUnretainedValue()
    let base = lua_gettop(L)
    guard let state = box.state else {
        return raise(L, base, LuaStack(L: L, handle: LuaStateHandle(L)), "'\(box.name)' called after its state was closed", NS_RAISE)
    }
    let previous = state.currentL
    state.currentL = L
    defer { state.currentL = previous }
    let stack = LuaStack(L: L, handle: state.handle)
    do {
        var values: [LuaValue] = []
        values.reserveCapacity(Int(base))
        var budget = stack.makeBudget()
        for i in 0..<base {
            do {
                values.append(try stack.value(at: i + 1, budget: &budget))
            } catch let refusal as CopyRefusal where !refusal.interrupted {
                throw LuaArgumentError(position: Int(i) + 1, function: box.name, reason: refusal.reason)
            }
        }
        let results = try box.body(LuaArguments(function: box.name, values: values, state: state))
        lua_settop(L, base)
        guard results.count < Int(Int32.max) - 20, lua_checkstack(L, Int32(results.count) + 20) != 0 else {
            return raise(L, base, stack, "too many results from '\(box.name)'", NS_RAISE_WHERE)
        }
        for r in results { try stack.ensureSpace(for: r) }
        try stack.push(results)
        assert(lua_gettop(L) == base + Int32(results.count), "binding '\(box.name)' left the Lua stack unbalanced")
        return Int32(results.count)
    } catch let error as LuaError {
        return raise(L, base, stack, error.message, NS_RAISE)
    } catch {
        return raise(L, base, stack, String(describing: error), NS_RAISE_WHERE)
    }
}

/// Leaves `message` as the only value above `base` and returns `code`; when even the message
/// cannot be pushed (out of memory), C raises "not enough memory" instead.
private func raise(_ L: OpaquePointer, _ base: Int32, _ stack: LuaStack, _ message: String, _ code: Int32) -> Int32 {
    lua_settop(L, base)
    do {
        try stack.push(.string(message))
        return code
    } catch {
        lua_settop(L, base)
        return NS_RAISE_NOMEM
    }
}

/// Called from `__gc` of the box userdata (or when pushing failed): drops Lua's retain.
private let luaRelease: ns_release_fn = { rawBox in
    guard let rawBox else { return }
    Unmanaged<SwiftFunctionBox>.fromOpaque(rawBox).release()
}
