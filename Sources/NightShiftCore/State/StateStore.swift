import Foundation
import Glibc
import Synchronization

/// Whether the loaded state can be trusted; anything but `known` blocks powering this machine off.
public enum StateCondition: Equatable, Sendable, CustomStringConvertible {
    /// `state.json` was read.
    case known
    /// No `state.json` yet (first run): a fresh state, flagged unknown.
    case missing
    /// `state.json` could not be parsed; it was moved to `keptAs` (nil when read-only) and a
    /// fresh state is used instead.
    case corrupt(reason: String, keptAs: String?)

    /// Whether the state came from a readable file.
    public var isKnown: Bool { self == .known }

    /// A short phrase for logs and `nightshift status`.
    public var description: String {
        switch self {
        case .known: return "known"
        case .missing: return "unknown (no state file yet)"
        case .corrupt(let reason, let keptAs):
            return "unknown (state file was corrupt: \(reason)" + (keptAs.map { "; kept as \($0))" } ?? ")")
        }
    }
}

/// A state read from disk together with how trustworthy it is.
public struct LoadedState: Equatable, Sendable {
    /// The state; fresh and empty unless `condition` is `known`.
    public var state: NightShiftState
    /// Whether the file was there and readable.
    public var condition: StateCondition
    /// Values that failed their range check at load and were reset, each naming its field.
    public var warnings: [String]

    /// Creates a loaded state.
    public init(state: NightShiftState, condition: StateCondition, warnings: [String] = []) {
        self.state = state
        self.condition = condition
        self.warnings = warnings
    }
}

/// Reads and atomically replaces `state.json` in a state directory.
public struct StateStore: Sendable {
    /// The state directory.
    public let directory: String
    /// File name of the state inside the directory.
    public static let fileName = "state.json"

    /// Creates a store for `directory` (created on the first save if missing).
    public init(directory: String) {
        self.directory = DurableFile.normalized(directory: directory)
    }

    /// Full path of `state.json`.
    public var path: String { directory + "/" + Self.fileName }

    /// Loads the state. A missing file gives a fresh state flagged `missing`; a corrupt file gives a
    /// fresh state flagged `corrupt`, and with `quarantine` the file is first renamed to
    /// `state.json.corrupt-<epoch>` so that the next save cannot overwrite the only copy.
    /// With `quarantine` it also removes temporary files left by writers that died mid-save.
    /// Throws only when the file exists but cannot be read (e.g. permissions).
    public func load(quarantine: Bool = true, now: Date = Date()) throws -> LoadedState {
        if quarantine { removeStaleTemporaries() }
        let fingerprint = DurableFile.fingerprint(path)
        guard let bytes = try DurableFile.read(path) else {
            return LoadedState(state: NightShiftState(), condition: .missing)
        }
        var decoded: NightShiftState
        do {
            decoded = try JSONDecoder().decode(NightShiftState.self, from: Data(bytes))
        } catch {
            // A newer file this build cannot even decode is not corrupt: it is not ours to touch.
            try refuseNewer(bytes)
            let reason = bytes.isEmpty ? "empty file" : Self.describe(error)
            var keptAs: String?
            if quarantine {
                keptAs = try quarantineCorrupt(epoch: Int(now.timeIntervalSince1970))
            }
            return LoadedState(state: NightShiftState(), condition: .corrupt(reason: reason, keptAs: keptAs))
        }
        if decoded.version > NightShiftState.currentVersion { try refuseNewer(bytes) }
        let warnings = decoded.sanitize(now: now.timeIntervalSince1970)
        if let fingerprint, fingerprint != Self.plainFiles.withLock({ $0[path] }),
           StateFields.isPlain(bytes, decoded: decoded) {
            // Paid here rather than in the save that usually follows: saves must stay cheap.
            Self.plainFiles.withLock { $0[path] = fingerprint }
        }
        return LoadedState(state: decoded, condition: .known, warnings: warnings)
    }

    /// Writes the state atomically (temp file, fsync, rename, fsync directory), mode 0600.
    ///
    /// Fields of the file on disk that this build does not know (a newer minor addition, an
    /// admin's note) are carried over; a file written by a newer version is never replaced.
    public func save(_ state: NightShiftState) throws {
        try DurableFile.makeDirectory(directory)
        let encoded = try Self.encode(state)
        var bytes = Array(encoded)
        var plain = true
        // The file this process last wrote without unknown fields needs no parsing: saves come
        // in quick succession during a night and must stay as cheap as one encode.
        let fingerprint = DurableFile.fingerprint(path)
        if fingerprint == nil || fingerprint != Self.plainFiles.withLock({ $0[path] }),
           let old = try DurableFile.read(path) {
            try refuseNewer(old)
            if let merged = StateFields.carryUnknown(from: old, into: encoded) {
                bytes = merged
                plain = false
            }
        }
        bytes.append(UInt8(ascii: "\n"))
        let written = try DurableFile.replace(directory: directory, name: Self.fileName, with: bytes)
        Self.plainFiles.withLock { $0[path] = plain ? written : nil }
    }

    /// Per path, the fingerprint of the state file this process last wrote with no unknown field.
    private static let plainFiles = Mutex<[String: [Int]]>([:])

    /// Throws when `bytes` carry a `version` newer than this build's: such a file may hold
    /// meanings this build would silently drop, so it is neither rewritten nor quarantined.
    private func refuseNewer(_ bytes: [UInt8]) throws {
        guard let version = StateFields.version(of: bytes), version > Double(NightShiftState.currentVersion) else { return }
        let shown = Int(exactly: version).map(String.init) ?? "\(version)"
        throw StateError(message: "\(path) was written by a newer NightShift (version \(shown); this is version "
                         + "\(NightShiftState.currentVersion)); refusing to change it")
    }

    /// The JSON an admin sees: sorted keys, indented, no escaped slashes.
    public static func encode(_ state: NightShiftState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(state)
    }

    private func quarantineCorrupt(epoch: Int) throws -> String {
        var kept = "\(path).corrupt-\(epoch)"
        var n = 1
        // Two corrupt files within one second must not overwrite each other either.
        while access(kept, F_OK) == 0 {
            n += 1
            kept = "\(path).corrupt-\(epoch)-\(n)"
        }
        guard rename(path, kept) == 0 else { throw StateError.system("cannot move corrupt \(path) to \(kept)") }
        try DurableFile.syncDirectory(directory)
        return kept
    }

    private func removeStaleTemporaries() {
        DurableFile.removeDeadWritersTemporaries(directory: directory, name: Self.fileName)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let ctx): return "invalid JSON (\(ctx.debugDescription))"
        case DecodingError.keyNotFound(let key, _): return "missing key \(key.stringValue)"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return "wrong type at \(path.isEmpty ? "top level" : path)"
        default: return "\(error)"
        }
    }
}
