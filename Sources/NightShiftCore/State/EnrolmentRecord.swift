import Foundation

/// `state_dir/healthchecks.json`: what was last enrolled with a Healthchecks instance
/// (the fingerprint of the checks sent and each job's ping URL), so enrolment runs again only
/// at a start or when the jobs or the schedule changed. Mode 0600: ping URLs are secrets.
public struct EnrolmentRecord: Codable, Equatable, Sendable {
    /// What was sent (the API address and every check's fields), as one string.
    public var fingerprint: String
    /// The process that enrolled (a new start enrols again).
    public var process: String
    /// Job name -> its check's ping URL.
    public var pingURLs: [String: String]

    public init(fingerprint: String, process: String, pingURLs: [String: String]) {
        self.fingerprint = fingerprint
        self.process = process
        self.pingURLs = pingURLs
    }

    static let name = "healthchecks.json"

    /// The record in `stateDir`, nil when there is none or it cannot be read.
    public static func load(stateDir: String) -> EnrolmentRecord? {
        let path = DurableFile.normalized(directory: stateDir) + "/" + name
        guard let bytes = try? DurableFile.read(path) else { return nil }
        return try? JSONDecoder().decode(EnrolmentRecord.self, from: Data(bytes))
    }

    /// Replaces the record atomically (never through a symlink, mode 0600).
    public func save(stateDir: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try DurableFile.replace(directory: DurableFile.normalized(directory: stateDir), name: Self.name,
                                with: Array(try encoder.encode(self)), mode: 0o600)
    }
}
