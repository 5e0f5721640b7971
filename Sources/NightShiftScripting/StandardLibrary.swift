import LuaBinding

/// The embedded Lua standard library, loaded through its private loader (`nightshift/init.lua`).
enum StandardLibrary {
    /// The module that holds the loader and the load order; Swift runs it, the rest it requires.
    static let root = "nightshift.init"

    /// Compiles every module of `sources` and runs the root, which requires the others; each
    /// chunk gets the public `module` and the private `core`. Throws naming every module that
    /// nothing required, so a new `.lua` file cannot be silently left out.
    static func load(into lua: LuaState, module: LuaRef, core: LuaRef, sources: [String: [UInt8]]) throws {
        guard let rootSource = sources[root] else { throw LuaError(message: "missing embedded module \(root)") }
        var chunks = LuaTable()
        for (name, source) in sources where name != root {
            chunks[name] = .function(try lua.load(source, chunkName: chunkName(name)))
        }
        let initChunk = try lua.load(rootSource, chunkName: chunkName(root))
        try lua.callIgnoringResults(initChunk, [.reference(module), .reference(core), .table(chunks)])
        let loaded = try lua.rawGet(core, "loaded").tableValue ?? LuaTable()
        let never = sources.keys.filter { loaded[$0] != .boolean(true) }.sorted()
        if !never.isEmpty {
            throw LuaError(message: "embedded Lua module never loaded: \(never.joined(separator: ", ")) "
                + "(require it from the module that uses it, or from \(root))")
        }
    }

    /// "nightshift.dsl" -> "@nightshift/dsl.lua", so messages read `nightshift/dsl.lua:LINE:`.
    static func chunkName(_ module: String) -> String {
        "@" + module.replacingOccurrences(of: ".", with: "/") + ".lua"
    }
}
