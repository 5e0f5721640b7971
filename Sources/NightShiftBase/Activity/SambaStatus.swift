import Foundation

/// What `smbstatus --json` (Samba 4.16 and later) lists: sessions, share connections and
/// open files - what `ns.busy.smb` needs to tell whether the NAS is in use.
///
/// Read with Foundation's JSON parser; only the fields named here are looked at, so new
/// fields of later Samba versions do not matter.
public struct SambaStatus: Equatable, Sendable {
    /// One SMB session: the user, the client machine and the dialect (`SMB3_11`).
    public struct Session: Equatable, Sendable {
        public var user: String
        public var machine: String
        public var dialect: String

        public init(user: String, machine: String, dialect: String) {
            self.user = user
            self.machine = machine
            self.dialect = dialect
        }
    }

    public var sessions: [Session]
    /// The shares connected to (one entry per tree connect).
    public var shares: [String]
    /// The paths of the files some client holds open.
    public var openFiles: [String]

    public init(sessions: [Session], shares: [String], openFiles: [String]) {
        self.sessions = sessions
        self.shares = shares
        self.openFiles = openFiles
    }

    /// Parses the JSON of `smbstatus --json`; nil when the text is not that JSON object
    /// (an older Samba, or one built without JSON support, prints its tables or an error).
    public static func parse(json text: String) -> SambaStatus? {
        guard let data = text.data(using: .utf8),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              // "sessions" is always there; "open_files" is missing until a client has opened one.
              let sessions = root["sessions"] as? [String: Any]
        else { return nil }
        func objects(_ key: String) -> [(String, [String: Any])] {
            ((root[key] as? [String: Any]) ?? [:]).compactMap { k, v in (v as? [String: Any]).map { (k, $0) } }
                .sorted { $0.0 < $1.0 }
        }
        let list = objects("sessions").map { _, s in
            Session(user: s["username"] as? String ?? "?",
                    machine: s["remote_machine"] as? String ?? s["hostname"] as? String ?? "?",
                    dialect: s["session_dialect"] as? String ?? "")
        }
        guard list.count == sessions.count else { return nil }
        let shares = objects("tcons").map { _, t in t["service"] as? String ?? "?" }
        // Keyed by the file's full path (service path + name).
        let files = objects("open_files").map { path, _ in path }
        return SambaStatus(sessions: list, shares: shares, openFiles: files)
    }
}
