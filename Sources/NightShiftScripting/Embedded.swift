import LuaBinding

/// Access to the Lua standard library compiled into the binary.
enum EmbeddedLua {
    /// Every embedded Lua module: name ("nightshift.dsl") -> source bytes.
    static var sources: [String: [UInt8]] { embeddedLuaSources }
    /// The build-time `lua_dump` of every module (debug info kept), by the same names; empty
    /// when the build could not compile them.
    static var bytecode: [String: [UInt8]] { embeddedLuaBytecode }
}
