#if canImport(Glibc)
import Glibc
#endif

/// What validation asks of the file system before a night: is a job's program there, is an
/// ssh key or credentials file usable. Nothing is run or opened for writing.
public enum FileChecks {
    /// The program `name` as execvp would find it (`folder` for relative paths with a `/`,
    /// else `searchPath`); the path, or why not.
    public static func findProgram(_ name: String, folder: String, searchPath: String) -> Result<String, FileCheckError> {
        guard !name.isEmpty, !name.utf8.contains(0) else { return .failure(FileCheckError("is not a program name")) }
        let candidates: [String]
        if name.contains("/") {
            candidates = [name.hasPrefix("/") ? name : folder + "/" + name]
        } else {
            candidates = searchPath.split(separator: ":", omittingEmptySubsequences: false)
                .map { ($0.isEmpty ? "." : String($0)) + "/" + name }
        }
        for candidate in candidates {
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else { continue }
            if access(candidate, X_OK) == 0 { return .success(candidate) }
            return .failure(FileCheckError("is not executable (\(candidate))"))
        }
        if name.hasPrefix("/") { return .failure(FileCheckError("does not exist")) }
        // A relative path is looked up in one folder the reader may not have in mind: name it.
        if name.contains("/") { return .failure(FileCheckError("does not exist in \(folder) (a relative program is looked for in the script's folder, or in the job's cwd)")) }
        var info = stat()
        if stat(folder + "/" + name, &info) == 0 {
            return .failure(FileCheckError("is not found in PATH; there is one in \(folder): write \"./\(name)\""))
        }
        return .failure(FileCheckError("is not found in PATH"))
    }

    /// Why the secret file `path` (an ssh key, a Samba credentials file; `what` names it) is
    /// unfit, or nil: it must be a regular file nobody but its owner can read, as a password
    /// others can read is no secret, and a missing one fails every action at night.
    public static func secretFileProblem(_ path: String, what: String) -> String? {
        var info = stat()
        guard !path.utf8.contains(0), stat(path, &info) == 0 else { return "\(what) \"\(path)\" does not exist" }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "\(what) \"\(path)\" is not a regular file" }
        if info.st_mode & 0o077 != 0 {
            return "\(what) \"\(path)\" is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8)); chmod 600 it)"
        }
        return nil
    }
}

/// Why a file check failed, in words that follow the file's name.
public struct FileCheckError: Error, Sendable, CustomStringConvertible {
    /// E.g. "is not found in PATH".
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
