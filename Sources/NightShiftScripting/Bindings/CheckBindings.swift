import Foundation
import LuaBinding
import NightShiftCore

/// `ns._find_program` and `ns._key_problem`: validation's questions to the file system.
enum CheckBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        // _find_program(name, folder [, PATH]) -> path | nil, why
        try m.add("_find_program", traced: false) { args in
            let folder = try args.optionalString(2) ?? FileManager.default.currentDirectoryPath
            let path = try args.optionalString(3) ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            switch FileChecks.findProgram(try args.string(1), folder: folder, searchPath: path) {
            case .success(let found): return [.string(found)]
            case .failure(let why): return [.nil, .string(why.description)]
            }
        }
        // _key_problem(path [, what]) -> why | nil; `what` names the file ("ssh key" by default).
        try m.add("_key_problem", traced: false) { args in
            let what = try args.optionalString(2) ?? "ssh key"
            return [FileChecks.secretFileProblem(try args.string(1), what: what).map { .string($0) } ?? .nil]
        }
    }
}
