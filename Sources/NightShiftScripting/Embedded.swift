/// Access to the Lua standard library compiled into the binary.
enum EmbeddedLua {
    /// Every embedded Lua module: name ("nightshift.dsl") -> source bytes.
    static var sources: [String: [UInt8]] { embeddedLuaSources }
}
