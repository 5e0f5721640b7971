import Foundation
import PackagePlugin

/// Compiles every `.lua` file of a target into a generated Swift source file, so the
/// Lua standard library ships inside the binary instead of being read from disk.
@main
struct EmbedLua: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let source = target as? SourceModuleTarget else { return [] }
        let luaFiles = source.sourceFiles.filter { $0.url.pathExtension == "lua" }.map(\.url)
            .sorted { $0.path < $1.path }
        guard !luaFiles.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedLua.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(luaFiles.count) Lua files into \(target.name)",
                executable: try context.tool(named: "EmbedLuaTool").url,
                arguments: [output.path] + luaFiles.map(\.path),
                inputFiles: luaFiles,
                outputFiles: [output]
            )
        ]
    }
}
