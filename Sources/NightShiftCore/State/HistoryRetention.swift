import Foundation
import Glibc

/// `settings.history_keep`: history.jsonl keeps the records that ended within the limit; older
/// ones are dropped by rewriting the file at most once a day.
///
/// The rewrite is atomic (write, fsync, rename, fsync the folder: a kill at any instant leaves
/// the old or the new file, docs/design.md, invariant 3), and the counters in state.json are
/// told the new file's identity before the rename, so a kill between the rename and the state
/// write neither loses nor double-counts a run.
public enum HistoryRetention {
    /// What one look at the history did.
    public struct Outcome: Equatable, Sendable {
        /// Records dropped (older than the limit, or lines no reader could parse).
        public var dropped: Int
        /// Records kept.
        public var kept: Int
    }

    /// How often retention looks at the history at most.
    public static let period: Double = 86_400

    /// Drops the records of the history in `stateDir` that ended more than `keep` seconds
    /// before `now`, unless retention already looked in the last day. Nil when it did not look;
    /// `dropped == 0` when it looked and found nothing to drop (the file is left untouched).
    /// Call it holding the instance lock: an append during the rewrite would be lost.
    @discardableResult
    public static func apply(stateDir: String, keep: Double, now: Double) throws -> Outcome? {
        let store = StateStore(directory: stateDir)
        let history = HistoryLog(directory: stateDir)
        var state = try store.load(quarantine: false).state
        // What a rewrite killed before its rename left behind (cheap: one folder listing).
        DurableFile.removeDeadWritersTemporaries(directory: history.directory, name: HistoryLog.fileName)
        if let last = state.history?.pruned, last <= now, now - last < period { return nil }
        // Every record is counted before any is dropped: the totals never lose one.
        try HistoryCounters.catchUp(&state, directory: stateDir, now: now)
        let cutoff = now - keep
        guard let lines = try HistoryLines.open(history.path) else {
            state.history?.pruned = now
            try store.save(state)
            return Outcome(dropped: 0, kept: 0)
        }
        var kept: [UInt8] = []
        var keptCount = 0
        var dropped = 0
        var young = false
        let decoder = JSONDecoder()
        do {
            defer { lines.close() }
            // Only the counted part: a line appended meanwhile (none, under the lock) would be
            // neither counted nor kept.
            let end = state.history?.through ?? lines.size
            var read = 0
            // Records are appended as they end: from the first young one on, everything is
            // kept as it is, without decoding (a record a clock step dated earlier among
            // them is dropped once the records before it are). Before it, only lines that
            // parse and ended within the limit would be kept; none do.
            try lines.forward { line in
                read += line.count + 1
                if !young, let record = try? decoder.decode(HistoryRecord.self, from: Data(line)), record.end >= cutoff {
                    young = true
                }
                if young {
                    kept.append(contentsOf: line)
                    kept.append(UInt8(ascii: "\n"))
                    keptCount += 1
                } else {
                    dropped += 1
                }
                return read < end
            }
        }
        guard dropped > 0 else {
            state.history?.pruned = now
            try store.save(state)
            return Outcome(dropped: 0, kept: keptCount)
        }
        try rewrite(history: history, with: kept, store: store, state: &state, now: now)
        return Outcome(dropped: dropped, kept: keptCount)
    }

    /// Writes the new file beside the old, tells state.json which file it will be, renames it
    /// into place, then records it as the counted file.
    private static func rewrite(history: HistoryLog, with bytes: [UInt8], store: StateStore,
                                state: inout NightShiftState, now: Double) throws {
        let prepared = try DurableFile.prepare(directory: history.directory, name: HistoryLog.fileName,
                                               with: bytes, mode: 0o600)
        do {
            state.history?.rewrite = prepared.identity + [bytes.count]
            try store.save(state)
        } catch {
            unlink(prepared.temporary)
            throw error
        }
        try DurableFile.commit(prepared)
        state.history?.rewrite = nil
        state.history?.file = prepared.identity
        state.history?.through = bytes.count
        // Only a rewrite that happened counts as the day's look: a killed one is tried again.
        state.history?.pruned = now
        // If this write is lost, the next update adopts the renamed file through `rewrite`.
        try store.save(state)
    }
}
