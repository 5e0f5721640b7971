import Foundation

/// What `nightshift history` prints: nights and job runs from `history.jsonl`, newest last.
public enum HistoryReport {
    /// The records to show: cycles that ran a night (all cycles with `allCycles`) and job runs,
    /// only job `job`'s runs when given, the last `last` of them when given.
    public static func select(_ records: [HistoryRecord], job: String? = nil, last: Int? = nil,
                              allCycles: Bool = false) -> [HistoryRecord] {
        let chosen = records.filter { shows($0, job: job, allCycles: allCycles) }
        guard let last else { return chosen }
        return Array(chosen.suffix(max(0, last)))
    }

    /// Whether `nightshift history` shows `record` for `--job job` and `--all` (`allCycles`).
    public static func shows(_ record: HistoryRecord, job: String? = nil, allCycles: Bool = false) -> Bool {
        switch record {
        case .cycle(let c): return job == nil && (allCycles || c.ran || c.result == "interrupted")
        case .job(let j): return job == nil || j.name == job
        }
    }

    /// What `nightshift history` prints from the history in `log`: with `last`, read from the
    /// file's end (only as far back as those records go); without it, all of it.
    public static func read(_ log: HistoryLog, job: String? = nil, last: Int? = nil,
                            allCycles: Bool = false) throws -> HistoryContents {
        guard let last else {
            var contents = try log.read()
            contents.records = select(contents.records, job: job, allCycles: allCycles)
            return contents
        }
        return try log.last(last) { shows($0, job: job, allCycles: allCycles) }
    }

    /// One text line per record: start, kind and name, result, duration, files/bytes, the cycle's
    /// decision (why a night started or not), the reason (why it failed, what kept this machine awake).
    public static func render(_ records: [HistoryRecord], timeZone: ZoneRules = .local) -> String {
        let clock = WallClockText(timeZone: timeZone)
        let rows = nightsFirst(records).map { record -> [String] in
            switch record {
            case .cycle(let c):
                var reason = c.reason ?? ""
                if let awake = c.keptAwake { reason += (reason.isEmpty ? "" : "; ") + "stayed awake: " + awake }
                return [clock.dateTime(c.start, seconds: true), c.ran ? "night" : "cycle", c.result,
                        span(c.end - c.start), "", (c.manual ? "manual: " : "") + (c.decision ?? ""), reason]
            case .job(let j):
                var copied = ""
                if let files = j.files { copied = "\(files) files" }
                if let bytes = j.bytes { copied += (copied.isEmpty ? "" : ", ") + ByteCountText.human(max(0, bytes)) }
                return [clock.dateTime(j.start, seconds: true), "  job " + j.name, j.result.rawValue,
                        span(j.seconds), copied, "", j.reason ?? ""]
            }
        }
        if rows.isEmpty { return "No history yet\n" }
        return TextTable.render(header: ["START", "WHAT", "RESULT", "TOOK", "COPIED", "DECISION", "REASON"], rows: rows)
            .joined(separator: "\n") + "\n"
    }

    /// The records as JSON lines, exactly as `history.jsonl` stores them.
    public static func jsonLines(_ records: [HistoryRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
    }

    /// The records in reading order: a night is recorded when it ends, after its jobs, but
    /// it reads as a heading, so each night's line moves up before the jobs it ran.
    static func nightsFirst(_ records: [HistoryRecord]) -> [HistoryRecord] {
        var out: [HistoryRecord] = []
        var openFrom = 0 // the first record after the previous night: jobs of this night start here
        for record in records {
            guard case .cycle(let c) = record else {
                out.append(record)
                continue
            }
            var at = out.count
            while at > openFrom, case .job(let j) = out[at - 1], j.start >= c.start { at -= 1 }
            out.insert(record, at: at)
            openFrom = out.count
        }
        return out
    }

    private static func span(_ seconds: Double) -> String {
        abs(seconds) < WallClockText.plausible ? DurationText.format(max(0, seconds)) : "?"
    }
}
