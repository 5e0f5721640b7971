import Foundation
import NightShiftCore
import NightShiftScripting
import XCTest

/// A self-only site (no other host, so no packet is sent): this machine "suspends" by
/// appending to `slept`, fake programs sit in `bin/` and PATH is only that folder while a
/// cycle runs, and the RTC is the plain file `wakealarm` - the real machine is never touched.
final class BusyFixture {
    let f = try! ScriptFixture()
    var dir: String { f.dir }
    var bin: String { dir + "/bin" }
    var rtc: String { dir + "/wakealarm" }

    init() throws {
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: rtc, contents: Data())
    }

    /// Writes an executable fake program into `bin/`.
    func fake(_ name: String, _ body: String) throws {
        // The fake itself may use cat, sleep...: only the programs NightShift looks up are confined to bin/.
        let path = try f.write("bin/" + name, "#!/bin/sh\nPATH=/usr/bin:/bin\n" + body + "\n")
        chmod(path, 0o755)
    }

    /// The site: `settings` adds to the settings, `nas` to this machine's actions.
    func script(_ settings: String = "", nas: String = "") -> String {
        """
        settings { self = "Nas", self_sleep = "suspend", rtc = "\(rtc)"\(settings.isEmpty ? "" : ", " + settings) }
        host "Nas" { actions = { suspend = {"/bin/sh", "-c", "echo suspend >> \(dir)/slept"}\(nas.isEmpty ? "" : ", " + nas) } }
        routine(function(night) end)
        """
    }

    /// Runs one cycle of `script` (manual unless told) with PATH set to `bin/` only.
    @discardableResult
    func cycle(_ script: String, options: ScriptOptions = ScriptOptions(), manual: Bool = true) throws -> CycleOutcome {
        let path = try f.write("site.lua", script)
        let saved = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        setenv("PATH", bin, 1)
        defer { setenv("PATH", saved, 1) }
        let rt = try f.runtime(options)
        try rt.loadSite(path: path, source: Array(script.utf8))
        return try rt.cycle(manual: manual)
    }

    /// How many times this machine went to sleep.
    var sleeps: Int {
        ((try? String(contentsOfFile: dir + "/slept", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// What the RTC file holds.
    var alarm: String {
        ((try? String(contentsOfFile: rtc, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
