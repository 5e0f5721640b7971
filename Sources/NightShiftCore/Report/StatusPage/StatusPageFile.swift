import Foundation

/// Where and for which site the status page is written, as the site script declares it.
public struct StatusPageTarget: Sendable, Equatable {
    /// The page's path (`settings.status_page`, resolved).
    public var path: String
    /// `settings.site`.
    public var site: String
    /// The force window's text, if any.
    public var forceWindow: String?
    /// The jobs and hosts in script order.
    public var jobOrder: [String]
    public var hostOrder: [String]
    /// The log file, whose last line shows while a night runs.
    public var logFile: String?

    /// Creates a target.
    public init(path: String, site: String, forceWindow: String? = nil, jobOrder: [String] = [], hostOrder: [String] = [],
                logFile: String? = nil) {
        self.path = path
        self.site = site
        self.forceWindow = forceWindow
        self.jobOrder = jobOrder
        self.hostOrder = hostOrder
        self.logFile = logFile
    }
}

extension StatusPage {
    /// The history the page and `status` show: the last ``days`` days plus one, read from the
    /// file's end, so the cost does not grow with the age of the installation.
    public static func recentHistory(stateDir: String, now: Double) throws -> [HistoryRecord] {
        try HistoryLog(directory: stateDir).records(since: now - Double(days + 1) * 86_400).records
    }

    /// Gathers the page's input from the state directory: state.json and the recent history
    /// only (the last ``days`` days plus one), never the whole file's past.
    public static func input(stateDir: String, site: String, forceWindow: String? = nil, jobOrder: [String] = [],
                             hostOrder: [String] = [], logFile: String? = nil, now: Double,
                             timeZone: TimeZone = .current) throws -> StatusPageInput {
        let loaded = try StateStore(directory: stateDir).load(quarantine: false)
        let history = try recentHistory(stateDir: stateDir, now: now)
        let lastLine = loaded.state.night.running == nil ? nil : logFile.flatMap(lastLine(ofLog:))
        return StatusPageInput(site: site, loaded: loaded, history: history, now: now, timeZone: timeZone,
                               forceWindow: forceWindow.flatMap { try? TimeWindow(parsing: $0) },
                               jobOrder: jobOrder, hostOrder: hostOrder, lastLogLine: lastLine)
    }

    /// Renders the page for `target` and replaces its file atomically (write, fsync, rename),
    /// mode 0644 whatever the umask (a web server runs as another user), refusing a target
    /// that is a symlink or not a regular file.
    public static func write(_ target: StatusPageTarget, stateDir: String, now: Double) throws {
        let page = render(try input(stateDir: stateDir, site: target.site, forceWindow: target.forceWindow,
                                    jobOrder: target.jobOrder, hostOrder: target.hostOrder, logFile: target.logFile, now: now))
        let url = URL(fileURLWithPath: target.path)
        try DurableFile.replace(directory: url.deletingLastPathComponent().path, name: url.lastPathComponent,
                                with: Array(page.utf8), mode: 0o644)
    }

    /// The last non-empty line of the log, read from its last 8 KiB: cheap whatever the log's size.
    public static func lastLine(ofLog path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return nil }
        let start = end > 8_192 ? end - 8_192 : 0
        guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).last.map(String.init)
    }
}
