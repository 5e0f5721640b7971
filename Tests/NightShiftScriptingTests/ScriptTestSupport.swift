import Foundation
import LuaBinding
import NightShiftCore
import NightShiftScripting
import XCTest

/// A temporary folder with a site script in it, and a runtime to load it.
final class ScriptFixture {
    let dir: String
    let log: NightShiftLog

    init(file: StaticString = #filePath) throws {
        dir = NSTemporaryDirectory() + "nightshift-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        log = try NightShiftLog(filePath: dir + "/test.log", consoleIsTerminal: false, consoleDescriptor: open("/dev/null", O_WRONLY))
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes `name` with `text` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A runtime with the given options and the state dir inside the fixture.
    func runtime(_ options: ScriptOptions = ScriptOptions()) throws -> ScriptRuntime {
        let context = ScriptContext(log: log, options: options)
        context.stateDirectory = dir + "/state"
        return try ScriptRuntime(context: context)
    }

    /// Loads `text` as `site.lua`; returns the problems (empty when it is valid).
    func problems(_ text: String) throws -> [String] {
        let path = try write("site.lua", text)
        do {
            try runtime().loadSite(path: path, source: Array(text.utf8))
            return []
        } catch let p as ScriptProblems {
            return p.problems.map { $0.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    /// The log file's text.
    var logText: String { (try? String(contentsOfFile: dir + "/test.log", encoding: .utf8)) ?? "" }
}

extension ScriptRuntime {
    /// `name -> type` for every public name of the `nightshift` module as built (recursively;
    /// `_` names and `_G` skipped): what the API reference and the LuaLS stub must document.
    func publicModuleNames() throws -> [String: String] {
        let text = try lua.execute("""
            local out, seen = {}, {}
            local function walk(t, prefix)
              if seen[t] then return end
              seen[t] = true
              for k, v in pairs(t) do
                if type(k) == "string" and k:sub(1, 1) ~= "_" and k ~= "_G" then
                  local name = prefix .. "." .. k
                  out[#out + 1] = name .. "\\t" .. type(v)
                  if type(v) == "table" then walk(v, name) end
                end
              end
            end
            walk(require("nightshift"), "ns")
            return table.concat(out, "\\n")
            """).first?.stringValue ?? ""
        var names: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t").map(String.init)
            if parts.count == 2 { names[parts[0]] = parts[1] }
        }
        return names
    }
}
