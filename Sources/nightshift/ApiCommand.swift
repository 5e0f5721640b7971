import ArgumentParser
import Foundation

/// `nightshift api`: prints the LuaLS stub (docs/nightshift.d.lua, compiled into the binary).
struct ApiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Print the LuaLS annotations (---@meta stub) of the nightshift Lua module.",
        discussion: """
            For editor completion in site scripts: nightshift api > nightshift.d.lua, then add that
            folder to lua-language-server's workspace.library (the Debian package installs the same
            file as /usr/share/nightshift/nightshift.d.lua).
            """
    )

    func run() throws {
        // Sources/nightshift/Stub/nightshift.d.lua links to docs/nightshift.d.lua; the EmbedLua
        // plugin compiles it in, so the binary, the docs and the package share one text.
        guard let stub = embeddedLuaSources["nightshift.d"] else { throw toolExit(.failed, "the Lua stub is not embedded") }
        FileHandle.standardOutput.write(Data(stub))
    }
}
