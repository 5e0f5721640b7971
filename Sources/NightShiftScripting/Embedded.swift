import LuaBinding

/// Access to the Lua standard library compiled into the binary.
public enum EmbeddedLua {
    /// The names of every embedded Lua module, sorted.
    public static var moduleNames: [String] { embeddedLuaSources.keys.sorted() }
    /// The source bytes of one embedded module.
    public static func source(_ name: String) -> [UInt8]? { embeddedLuaSources[name] }

    /// The chunk name a module loads under, so messages read `nightshift/dsl.lua:LINE:`.
    static func chunkName(_ name: String) -> String {
        "@" + name.split(separator: ".").joined(separator: "/") + ".lua"
    }

    /// Loads one module as a function: its build-time bytecode when there is some, else
    /// (a Lua library whose binary format differs from the build's) its source.
    static func load(_ name: String, into lua: LuaState) throws -> LuaRef {
        let chunk = chunkName(name)
        if let bytecode = embeddedLuaBytecode[name], let function = try? lua.loadPrecompiled(bytecode, chunkName: chunk) {
            return function
        }
        guard let source = embeddedLuaSources[name] else { throw LuaError(message: "missing embedded module \(name)") }
        return try lua.load(source, chunkName: chunk)
    }
}
