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
        "not enough memory (\(memoryLimitName) limit \(LuaStateHandle.describe(bytes: limit)) reached)"
    }

    /// A byte count the way the cap is usually written: "512 MiB", "1 GiB", "1.5 GiB".
    static func describe(bytes: Int) -> String {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, size) in units where bytes >= size {
            if bytes % size == 0 { return "\(bytes / size) \(name)" }
            let tenths = (bytes * 10 + size / 2) / size
            return "\(tenths / 10).\(tenths % 10) \(name)"
        }
        return "\(bytes) bytes"
    }
}
