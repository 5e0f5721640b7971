import CLua
import CLuaShim

/// A Lua value held in the state's registry so Swift can keep it (functions, userdata).
/// Lives on the Lua thread only; released when the last Swift reference goes away.
public final class LuaRef {
    let owner: LuaStateHandle
    let ref: Int32
    /// The Lua type name of the referenced value.
    public let typeName: String

    init(owner: LuaStateHandle, ref: Int32, typeName: String) {
        self.owner = owner
        self.ref = ref
        self.typeName = typeName
    }

    /// Pushes the referenced value onto the stack of `L`.
    func push(_ L: OpaquePointer) { ns_getref(L, ref) }

    deinit {
        if let L = owner.L { ns_unref(L, ref) }
    }
}

/// The raw state pointer, shared by `LuaState` and every `LuaRef`, cleared on close
/// so that a reference outliving its state never touches freed memory.
final class LuaStateHandle {
    var L: OpaquePointer?
    init(_ L: OpaquePointer) { self.L = L }
}
