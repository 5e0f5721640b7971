/// One cycle as recorded in `history.jsonl` (`"type": "cycle"`).
public struct CycleRecord: Codable, Equatable, Sendable {
    /// When the cycle started (epoch).
    public var start: Double
    /// When it ended (epoch).
    public var end: Double
    /// Whether a backup ran in it.
    public var ran: Bool
    /// Why a night started or not: the trigger decision's reason.
    public var decision: String?
    /// Why the cycle failed (names the failing job and its reason); nil when nothing failed.
    public var reason: String?
    /// `"ok"`, `"failed"`, `"interrupted"`, `"skipped"` or a site's own word.
    public var result: String
    /// Whether it was a `--manual` cycle.
    public var manual: Bool
    /// Whether it was a `--dry-run` cycle.
    public var dryRun: Bool
    /// When the next check is due (epoch).
    public var nextCheck: Double?
    /// How the cycle ended for this machine: the sleep mode it went to, or what kept it awake
    /// (`busy: ...`, `watched hosts online`, ...); nil when no sleep was considered.
    public var sleep: String?

    /// Creates a cycle record.
    public init(start: Double, end: Double, ran: Bool, decision: String? = nil, reason: String? = nil, result: String,
                manual: Bool = false, dryRun: Bool = false, nextCheck: Double? = nil, sleep: String? = nil) {
        self.start = start
        self.end = end
        self.ran = ran
        self.decision = decision
        self.reason = reason
        self.result = result
        self.manual = manual
        self.dryRun = dryRun
        self.nextCheck = nextCheck
        self.sleep = sleep
    }

    private enum CodingKeys: String, CodingKey {
        case start, end, ran, decision, reason, result, manual, sleep
        case dryRun = "dry_run"
        case nextCheck = "next_check"
    }

    /// Encodes the record; `decision` is always written (null when there was none), so that a
    /// reader can tell this record from one written before the field existed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(ran, forKey: .ran)
        if let decision { try c.encode(decision, forKey: .decision) } else { try c.encodeNil(forKey: .decision) }
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(result, forKey: .result)
        try c.encode(manual, forKey: .manual)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encodeIfPresent(nextCheck, forKey: .nextCheck)
        try c.encodeIfPresent(sleep, forKey: .sleep)
    }

    /// Decodes a record; one written before `decision` existed kept the decision in `reason`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decode(Double.self, forKey: .start)
        end = try c.decode(Double.self, forKey: .end)
        ran = try c.decode(Bool.self, forKey: .ran)
        result = try c.decode(String.self, forKey: .result)
        manual = try c.decodeIfPresent(Bool.self, forKey: .manual) ?? false
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        nextCheck = try c.decodeIfPresent(Double.self, forKey: .nextCheck)
        sleep = try c.decodeIfPresent(String.self, forKey: .sleep)
        let reason = try c.decodeIfPresent(String.self, forKey: .reason)
        if c.contains(.decision) {
            decision = try c.decodeIfPresent(String.self, forKey: .decision)
            self.reason = reason
        } else {
            decision = reason
            self.reason = nil
        }
    }
}

/// One job run as recorded in `history.jsonl` (`"type": "job"`).
public struct JobRecord: Codable, Equatable, Sendable {
    /// The job's name.
    public var name: String
    /// Its source host.
    public var source: String?
    /// Its target host.
    public var target: String?
    /// When it started (epoch).
    public var start: Double
    /// When it ended (epoch).
    public var end: Double
    /// How it ended.
    public var result: JobResult
    /// Why, in words.
    public var reason: String?
    /// The program's exit code, if it ran and exited.
    public var code: Int?
    /// Files the copy tool reported as transferred (rsync --stats), where known.
    public var files: Int?
    /// Bytes the copy tool reported as transferred, where known.
    public var bytes: Int?

    /// Creates a job record.
    public init(name: String, source: String? = nil, target: String? = nil, start: Double, end: Double,
                result: JobResult, reason: String? = nil, code: Int? = nil, files: Int? = nil, bytes: Int? = nil) {
        self.name = name
        self.source = source
        self.target = target
        self.start = start
        self.end = end
        self.result = result
        self.reason = reason
        self.code = code
        self.files = files
        self.bytes = bytes
    }

    /// Wall time of the run in seconds.
    public var seconds: Double { end - start }
}

/// A line of `history.jsonl`: a flat JSON object whose `type` says which record it is.
public enum HistoryRecord: Codable, Equatable, Sendable {
    /// A cycle record.
    case cycle(CycleRecord)
    /// A job record.
    case job(JobRecord)

    private enum TypeKey: String, CodingKey { case type }

    /// Decodes a line by its `type`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: TypeKey.self)
        switch try c.decode(String.self, forKey: .type) {
        case "cycle": self = .cycle(try CycleRecord(from: decoder))
        case "job": self = .job(try JobRecord(from: decoder))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown record type \(other)")
        }
    }

    /// Encodes the record's fields and its `type` into one flat object.
    public func encode(to encoder: any Encoder) throws {
        // Fields first, then `type` through a second keyed container on the same encoder,
        // which JSONEncoder merges into the same object.
        switch self {
        case .cycle(let record): try record.encode(to: encoder)
        case .job(let record): try record.encode(to: encoder)
        }
        var c = encoder.container(keyedBy: TypeKey.self)
        try c.encode(type, forKey: .type)
    }

    /// `"cycle"` or `"job"`.
    public var type: String {
        switch self {
        case .cycle: return "cycle"
        case .job: return "job"
        }
    }
}
