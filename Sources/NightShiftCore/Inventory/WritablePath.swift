#if canImport(Glibc)
import Glibc
#endif

/// Whether the night can write a path it was given (a state folder, a log, a metrics file, a
/// report folder), asked before the night so a typo in a folder fails `check`, not every cycle.
public enum WritablePath {
    /// What the night does with the path: a folder it creates (and its parents), a file whose
    /// missing folders it creates, or a file that must go into a folder that exists already.
    public enum Kind: Sendable {
        case folderMadeOnDemand
        case fileInFolderMadeOnDemand
        case fileInExistingFolder
    }

    /// Why the night could not write `path`, in words that follow the path, or nil.
    /// Only asks (stat and access for this process's user); creates nothing.
    public static func problem(_ path: String, kind: Kind) -> String? {
        guard !path.isEmpty, !path.utf8.contains(0) else { return "is not a path" }
        var info = stat()
        if stat(path, &info) == 0 {
            let isFolder = (info.st_mode & S_IFMT) == S_IFDIR
            if kind == .folderMadeOnDemand {
                if !isFolder { return "is not a folder" }
            } else if isFolder {
                return "is a folder, not a file"
            }
            return access(path, W_OK) == 0 ? nil : "is not writable by \(userName())"
        }
        let folder = parent(of: path)
        if kind == .fileInExistingFolder {
            guard stat(folder, &info) == 0 else { return "cannot be written: its folder \(folder) does not exist (create it, or fix the path)" }
            guard (info.st_mode & S_IFMT) == S_IFDIR else { return "cannot be written: \(folder) is not a folder" }
            return access(folder, W_OK | X_OK) == 0 ? nil : "cannot be written: its folder \(folder) is not writable by \(userName())"
        }
        // Missing folders are made by the night: the nearest existing one must let it.
        var existing = folder
        while stat(existing, &info) != 0 {
            let up = parent(of: existing)
            if up == existing { break }
            existing = up
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "cannot be created: \(existing) is not a folder" }
        return access(existing, W_OK | X_OK) == 0 ? nil : "cannot be created: \(existing) is not writable by \(userName())"
    }

    static func parent(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    private static func userName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return "user " + String(cString: name) }
        return "uid \(geteuid())"
    }
}
