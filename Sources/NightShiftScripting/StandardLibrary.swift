import LuaBinding

/// The embedded Lua standard library, loaded through its private loader (`nightshift/init.lua`).
enum StandardLibrary {
    /// The module that holds the loader and the load order; Swift runs it, the rest it requires.
    static let root = "nightshift.init"

    /// Compiles every module of `sources` and runs the root, which requires the others; each
    /// chunk gets the public `module` and the private `core`. Throws naming every module that
    /// nothing required, so a new `.lua` file cannot be silently left out.
    static func load(into lua: LuaState, module: LuaRef, core: LuaRef, sources: [String: [UInt8]],
                     bytecode: [String: [UInt8]] = EmbeddedLua.bytecode) throws {
        guard sources[root] != nil else { throw LuaError(message: "missing embedded module \(root)") }
        var chunks = LuaTable()
        for name in sources.keys where name != root {
            chunks[name] = .function(try compiled(name, sources: sources, bytecode: bytecode, into: lua))
        }
        let initChunk = try compiled(root, sources: sources, bytecode: bytecode, into: lua)
        try lua.callIgnoringResults(initChunk, [.reference(module), .reference(core), .table(chunks)])
        let loaded = try lua.rawGet(core, "loaded").tableValue ?? LuaTable()
        let never = sources.keys.filter { loaded[$0] != .boolean(true) }.sorted()
        if !never.isEmpty {
            throw LuaError(message: "embedded Lua module never loaded: \(never.joined(separator: ", ")) "
                + "(require it from the module that uses it, or from \(root))")
        }
    }

    /// One module as a function: its build-time bytecode when there is some (no parsing at
    /// start-up), else - a Lua library whose binary format differs from the build's, or a
    /// test's extra module - its source.
    private static func compiled(_ name: String, sources: [String: [UInt8]], bytecode: [String: [UInt8]],
                                 into lua: LuaState) throws -> LuaRef {
        // The bytecode is the embedded source's: a test that changed the source gets its source.
        if let code = bytecode[name], sources[name] == EmbeddedLua.sources[name], let function = try? lua.loadPrecompiled(code, chunkName: chunkName(name)) {
            return function
        }
        guard let source = sources[name] else { throw LuaError(message: "missing embedded module \(name)") }
        return try lua.load(source, chunkName: chunkName(name))
    }

    /// "nightshift.dsl" -> "@nightshift/dsl.lua", so messages read `nightshift/dsl.lua:LINE:`.
    static func chunkName(_ module: String) -> String {
        "@" + module.replacingOccurrences(of: ".", with: "/") + ".lua"
    }
}
