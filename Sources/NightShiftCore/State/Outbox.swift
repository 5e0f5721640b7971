import Foundation
import Glibc

/// A notification kept for a later attempt: an HTTP request or a mail handed to sendmail.
public struct OutboxMessage: Codable, Equatable, Sendable {
    /// What the log calls it ("healthchecks success", "ntfy failure").
    public var label: String
    /// When it was first queued (epoch seconds).
    public var created: Double
    /// "http" or "mail".
    public var kind: String
    public var url: String?
    public var method: String?
    public var headers: [String: String]?
    /// The request body or the mail text (a log tail need not be UTF-8: Data is base64 in JSON).
    public var body: Data?
    /// The sendmail argv of a mail.
    public var argv: [String]?
    /// Failed attempts so far, this one included.
    public var attempts: Int

    public init(label: String, created: Double, kind: String, url: String? = nil, method: String? = nil,
                headers: [String: String]? = nil, body: [UInt8]? = nil, argv: [String]? = nil, attempts: Int = 0) {
        self.label = label
        self.created = created
        self.kind = kind
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body.map { Data($0) }
        self.argv = argv
        self.attempts = attempts
    }
}

/// `state_dir/outbox/`: one file per notification that could not be delivered yet
/// (docs/design.md, invariant 12). Each file is written atomically, never through a symlink,
/// with mode 0600 whatever the umask (a ping URL is a secret), and the folder is bounded in
/// count and bytes: the oldest messages are dropped first, and the caller logs which.
public struct Outbox: Sendable {
    /// At most this many messages wait; a night sends a handful, so this is weeks of a dead endpoint.
    public static let maxCount = 200
    /// At most this many bytes wait (a /fail ping carries a 10 kB log tail).
    public static let maxBytes = 4 << 20

    public let directory: String
    let maxCount: Int
    let maxBytes: Int

    /// The outbox of the state directory `stateDir`, within `maxCount` messages and `maxBytes`.
    public init(stateDir: String, maxCount: Int = Outbox.maxCount, maxBytes: Int = Outbox.maxBytes) {
        directory = DurableFile.normalized(directory: stateDir) + "/outbox"
        self.maxCount = maxCount
        self.maxBytes = maxBytes
    }

    /// One queued message and the name that identifies it.
    public struct Entry: Sendable {
        public let id: String
        public let message: OutboxMessage
        public let bytes: Int
    }

    /// Queues `message`; returns its id and the labels of the oldest messages dropped to stay
    /// within the bounds.
    public func add(_ message: OutboxMessage) throws -> (id: String, dropped: [String]) {
        try prepareDirectory()
        // Zero-padded microseconds first: the names sort in the order the messages were queued.
        let micros = UInt64(max(0, message.created) * 1_000_000)
        let id = String(format: "%020llu-%08x.json", micros, UInt32.random(in: 0...UInt32.max))
        try write(id, message)
        return (id, try trim(keeping: id))
    }

    /// Rewrites the message `id` (its attempt count after another failure).
    public func update(_ id: String, _ message: OutboxMessage) throws {
        guard Self.isID(id) else { throw StateError(message: "invalid outbox id \(id)") }
        try write(id, message)
    }

    /// Every queued message, oldest first. A file that cannot be read is skipped (and left
    /// for the admin); a symlink is never followed.
    public func list() throws -> [Entry] {
        guard try directoryExists() else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter(Self.isID).sorted()
        var out: [Entry] = []
        for name in names {
            guard let bytes = try? DurableFile.read(directory + "/" + name),
                  let message = try? JSONDecoder().decode(OutboxMessage.self, from: Data(bytes)) else { continue }
            out.append(Entry(id: name, message: message, bytes: bytes.count))
        }
        return out
    }

    /// How many messages wait (0 when there is no outbox).
    public func count() -> Int {
        guard (try? directoryExists()) == true,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        return names.filter(Self.isID).count
    }

    /// Removes the message `id` once it was delivered; true if it was there.
    @discardableResult
    public func remove(_ id: String) throws -> Bool {
        guard Self.isID(id) else { throw StateError(message: "invalid outbox id \(id)") }
        if unlink(directory + "/" + id) == 0 { return true }
        if errno == ENOENT { return false }
        throw StateError.system("cannot remove \(directory)/\(id)")
    }

    /// The names this outbox writes: digits, a dash, hex, `.json` (no path can be smuggled in).
    static func isID(_ name: String) -> Bool {
        let parts = name.split(separator: "-")
        guard parts.count == 2, name.hasSuffix(".json"), parts[0].count == 20,
              parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber) else { return false }
        let hex = parts[1].dropLast(5)
        return hex.count == 8 && hex.allSatisfy(\.isHexDigit)
    }

    private func write(_ id: String, _ message: OutboxMessage) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(message)
        try DurableFile.replace(directory: directory, name: id, with: Array(data), mode: 0o600)
    }

    /// Drops the oldest messages (never `keeping`) until the outbox is within its bounds.
    private func trim(keeping: String) throws -> [String] {
        var entries = try list()
        var total = entries.reduce(0) { $0 + $1.bytes }
        var dropped: [String] = []
        while entries.count > maxCount || total > maxBytes, let oldest = entries.first(where: { $0.id != keeping }) {
            try remove(oldest.id)
            dropped.append(oldest.message.label)
            total -= oldest.bytes
            entries.removeAll { $0.id == oldest.id }
        }
        return dropped
    }

    /// The outbox folder exists and is a real directory; a symlink or a file there is refused.
    private func directoryExists() throws -> Bool {
        var info = stat()
        if lstat(directory, &info) != 0 {
            if errno == ENOENT { return false }
            throw StateError.system("cannot examine \(directory)")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StateError(message: "\(directory) is not a directory (a symlink or a file is never followed)")
        }
        return true
    }

    private func prepareDirectory() throws {
        if try directoryExists() { return }
        if mkdir(directory, 0o700) != 0, errno != EEXIST { throw StateError.system("cannot create \(directory)") }
        guard try directoryExists() else { throw StateError(message: "cannot create \(directory)") }
        // mkdir's mode passes through the umask; the outbox holds secrets, so set it exactly.
        guard chmod(directory, 0o700) == 0 else { throw StateError.system("cannot set the mode of \(directory)") }
    }
}
