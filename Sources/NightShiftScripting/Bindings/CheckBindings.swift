import Foundation
import LuaBinding
import NightShiftCore

/// `core.find_program` and `core.key_problem`: validation's questions to the file system.
enum CheckBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        // _find_program(name, folder [, PATH]) -> path | nil, why
        try m.addCore("find_program", traced: false) { args in
            let folder = try args.optionalString(2) ?? FileManager.default.currentDirectoryPath
            let path = try args.optionalString(3) ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            switch FileChecks.findProgram(try args.string(1), folder: folder, searchPath: path) {
            case .success(let found): return [.string(found)]
            case .failure(let why): return [.nil, .string(why.description)]
            }
        }
        try m.addCore("key_problem", traced: false) { args in
            [FileChecks.sshKeyProblem(try args.string(1)).map { .string($0) } ?? .nil]
        }
    }
}
