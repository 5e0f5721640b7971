import Foundation
import LuaBinding

/// A path the night writes, and the script line that gives it (or the settings line, for a default).
public struct PlannedWrite: Sendable, Equatable {
    /// `state_dir`, `log_file`, `metrics`, `status_page` or `report` (a `report.copy_log` folder).
    public var key: String
    /// The path as the script gives it (relative paths unresolved).
    public var path: String
    /// `file:line`.
    public var location: String
}

/// One answer of `check --live`.
public struct LiveItem: Sendable, Equatable {
    /// `ok`, `fail`, `off` (a host that is switched off: nothing to ask it) or `skip` (nothing harmless to try).
    public var status: String
    /// What was asked, e.g. `host PC1`, `ssh Nas`, `ntfy site.lua:12`.
    public var item: String
    /// The answer in words.
    public var detail: String

    /// Creates an item.
    public init(status: String, item: String, detail: String) {
        self.status = status
        self.item = item
        self.detail = detail
    }
}

extension ScriptRuntime {
    /// The name a script's `file:line` shows: its path, or its file name when the path is long.
    public static func displayName(_ path: String) -> String {
        path.utf8.count <= 55 ? path : (path as NSString).lastPathComponent
    }

    /// The state directory a script that failed to load names (its `settings{}` ran before
    /// the error, or the schema's default), resolved as `run` resolves it: so `status` can
    /// still show the state of a site whose script is broken.
    public func stateDirOfBrokenScript(path: String) throws -> String {
        let given = try callCore("site_settings").first?.tableValue?["state_dir"].stringValue
        let raw = try given ?? defaultSetting("state_dir").stringValue ?? "state"
        return ScriptRuntime.resolve(raw, against: "STATE_DIRECTORY", scriptPath: path)
    }

    /// Every path the validated script makes the night write.
    public func plannedWrites() throws -> [PlannedWrite] {
        (try callCore("write_paths").first?.tableValue?.array ?? []).compactMap { v in
            guard let t = v.tableValue, let key = t["key"].stringValue, let path = t["path"].stringValue else { return nil }
            return PlannedWrite(key: key, path: path, location: t["where"].stringValue ?? "?")
        }
    }

    /// The rehearsal: probes, ssh no-ops, time sources and one test message per notification
    /// endpoint (the script must be loaded without `--dry-run`, or nothing real is asked).
    public func liveCheck() throws -> [LiveItem] {
        (try callCore("live_check").first?.tableValue?.array ?? []).compactMap { v in
            guard let t = v.tableValue else { return nil }
            return LiveItem(status: t["status"].stringValue ?? "fail", item: t["item"].stringValue ?? "?",
                            detail: t["detail"].stringValue ?? "")
        }
    }
}
