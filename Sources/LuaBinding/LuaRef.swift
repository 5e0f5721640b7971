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
    /// How the memory cap is named in "not enough memory (NAME limit 512 MiB reached)".
    var memoryLimitName = "memory"
    /// How the cap's size is written there: the host's size formatter (the binding knows no
    /// units of its own, so sizes read the same everywhere the host writes them).
    var describeBytes: @Sendable (Int) -> String = { "\($0) bytes" }
    /// The state this handle belongs to: a copy into Swift polls its interruption check.
    weak var owner: LuaState?
    init(_ L: OpaquePointer) { self.L = L }

    /// Lua says only "not enough memory" (a preallocated string): when the cap refused an
    /// allocation, this names the cap so that the author knows which setting to raise.
    func explain(_ L: OpaquePointer, _ text: String) -> String {
        let limit = ns_memory_limit(L)
        guard limit > 0, ns_memory_refusals(L) > 0, let r = text.range(of: "not enough memory"),
            !text[r.upperBound...].hasPrefix(" (")
        else { return text }
        return text.replacingCharacters(in: r, with: memoryMessage(limit: limit))
    }

    /// "not enough memory (NAME limit 512 MiB reached)".
    func memoryMessage(limit: Int) -> String {
        "not enough memory (\(memoryLimitName) limit \(describeBytes(limit)) reached)"
    }
}
