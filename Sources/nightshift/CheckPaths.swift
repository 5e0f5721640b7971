import Foundation
import NightShiftCore
import NightShiftScripting

/// A path the night writes, resolved as `run` resolves it, with what the night does with it.
struct ResolvedWrite {
    var planned: PlannedWrite
    var path: String
    var kind: WritablePath.Kind

    /// `settings.metrics` / `log_file` ... or `report.copy_log`, as the messages name it.
    var label: String { planned.key == "report" ? "report.copy_log folder" : "settings: " + planned.key }
}

/// The paths of `site`, each resolved where `run` writes it.
func resolvedWrites(_ site: LoadedSite, script: String) throws -> [ResolvedWrite] {
    let folder = (script as NSString).deletingLastPathComponent
    return try site.runtime.plannedWrites().map { w in
        switch w.key {
        case "state_dir": return ResolvedWrite(planned: w, path: absolute(site.settings.stateDir), kind: .folderMadeOnDemand)
        case "log_file": return ResolvedWrite(planned: w, path: absolute(site.settings.logFile), kind: .fileInFolderMadeOnDemand)
        case "metrics":
            return ResolvedWrite(planned: w, path: absolute(site.settings.metrics ?? w.path), kind: .fileInExistingFolder)
        case "report": return ResolvedWrite(planned: w, path: absolute(w.path), kind: .folderMadeOnDemand)
        default:
            // A page or file setting: relative to the script's folder, as metrics.
            let p = w.path.hasPrefix("/") || folder.isEmpty ? w.path : (folder as NSString).appendingPathComponent(w.path)
            return ResolvedWrite(planned: w, path: absolute(p), kind: .fileInExistingFolder)
        }
    }
}

/// `file:line: settings: metrics: "/x/m.prom" cannot be written: ...` for each path the night
/// could not write (empty when all can be).
func writeProblems(_ writes: [ResolvedWrite]) -> [String] {
    writes.compactMap { w in
        WritablePath.problem(w.path, kind: w.kind).map { "\(w.planned.location): \(w.label): \"\(w.path)\" \($0)" }
    }
}
