/// Access to the Lua standard library compiled into the binary.
public enum EmbeddedLua {
    /// The names of every embedded Lua module, sorted.
    public static var moduleNames: [String] { embeddedLuaSources.keys.sorted() }
    /// The source bytes of one embedded module.
    public static func source(_ name: String) -> [UInt8]? { embeddedLuaSources[name] }
}
