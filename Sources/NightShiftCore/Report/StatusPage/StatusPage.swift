import Foundation

/// The office status page (`settings.status_page`, `nightshift status --html`): one
/// self-contained HTML document - inline CSS and SVG, no script, no external resource -
/// with the stable hooks DESIGN v3 names (`#verdict`, `#jobs`, `#nights`, `#hosts`, `#why`, `#next`).
public enum StatusPage {
    /// Days shown by `#nights` and the job sparklines.
    public static let days = 30
    /// Seconds between reloads while a night runs (the browser's `<meta http-equiv="refresh">`).
    public static let refreshSeconds = 30

    /// The page for `input`.
    public static func render(_ input: StatusPageInput) -> String {
        let clock = WallClockText(timeZone: input.timeZone)
        let running = input.loaded.state.night.running
        let site = HTMLText.escape(input.site)
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">

            """
        // Reload only while something changes by itself; a page left open overnight otherwise stays still.
        if running != nil { html += "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">\n" }
        html += "<title>\(site) - NightShift</title>\n<style>\(StatusPageStyle.css)</style>\n</head>\n<body>\n"
        html += "<header><h1>\(site) <small>backups</small></h1>"
        html += "<p class=\"stamp\">As of \(clock.dateTime(input.now)) - NightShift \(HTMLText.escape(NightShiftVersion.string))</p></header>\n<main>\n"
        let verdict = Verdict(input)
        html += "<p id=\"verdict\" data-state=\"\(verdict.state.rawValue)\" class=\"s-\(verdict.state.rawValue)\">"
            + "\(HTMLText.escape(HTMLText.clip(verdict.text)))</p>\n"
        if !input.loaded.condition.isKnown {
            html += "<p class=\"note\">State file: \(HTMLText.escape(input.loaded.condition.description))</p>\n"
        }
        if let running { html += runningSection(input, since: running.start, clock: clock) }
        html += StatusPageTables.jobs(input, clock: clock)
        html += StatusPageTables.nights(input)
        html += StatusPageTables.hosts(input, clock: clock)
        html += StatusPageWhy.why(input, clock: clock)
        html += StatusPageWhy.next(input, clock: clock)
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    /// The night in progress: its current job, elapsed time and the log's last line.
    static func runningSection(_ input: StatusPageInput, since start: Double, clock: WallClockText) -> String {
        let current = input.jobs.first { input.loaded.state.jobs[$0]?.result == .running }
        var html = "<section id=\"running\" aria-labelledby=\"running-h\"><h2 id=\"running-h\">Running now</h2>\n<dl>\n"
        html += "<dt>Night started</dt><dd>\(clock.dateTime(start)) (\(ago(input.now - start)) ago)</dd>\n"
        if let current {
            let job = input.loaded.state.jobs[current]!
            let position = input.jobs.firstIndex(of: current).map { "job \($0 + 1) of \(input.jobs.count): " } ?? ""
            // No data-job here: that hook belongs to the rows of #jobs alone.
            html += "<dt>Current job</dt><dd>\(position)\(HTMLText.escape(current))"
            if let s = job.lastStart { html += ", running for \(ago(input.now - s))" }
            html += "</dd>\n"
        } else {
            html += "<dt>Current job</dt><dd>between jobs</dd>\n"
        }
        if let line = input.lastLogLine, !line.isEmpty {
            html += "<dt>Last output</dt><dd><code>\(HTMLText.escape(HTMLText.clip(line, 300)))</code></dd>\n"
        }
        return html + "</dl></section>\n"
    }

    /// A span as text, "?" for one no clock produced.
    static func ago(_ seconds: Double) -> String {
        abs(seconds) < WallClockText.plausible ? DurationText.format(max(0, seconds)) : "?"
    }
}

/// The one line of `#verdict`.
struct Verdict {
    var state: PageJobState
    var text: String

    init(_ input: StatusPageInput) {
        let clock = WallClockText(timeZone: input.timeZone)
        let jobs = input.jobs
        let states = Dictionary(jobs.map { ($0, input.state(ofJob: $0)) }, uniquingKeysWith: { a, _ in a })
        let stateJobs = input.loaded.state.jobs
        if let running = input.loaded.state.night.running {
            state = .running
            let current = jobs.firstIndex { states[$0] == .running }
            let which = current.map { "job \($0 + 1) of \(jobs.count) (\(jobs[$0]))" } ?? "between jobs"
            text = "A backup is running: \(which), since \(clock.time(running.start))"
            return
        }
        let failed = jobs.filter { states[$0] == .failed }
        if !failed.isEmpty {
            state = .failed
            let named = failed.map { name in stateJobs[name]?.reason.map { "\(name) (\($0))" } ?? name }
            text = (failed.count == 1 ? "A job failed: " : "\(failed.count) jobs failed: ") + named.joined(separator: "; ")
            return
        }
        let stale = jobs.filter { states[$0] == .stale }
        if !stale.isEmpty {
            state = .stale
            let named = stale.map { name -> String in
                guard let job = stateJobs[name], let s = Staleness.check(name, job, now: input.now) else { return name }
                return job.lastGood == nil ? "\(name) (never backed up)" : "\(name) (last good \(StatusPage.ago(s.age)) ago)"
            }
            text = "STALE: " + named.joined(separator: "; ")
            return
        }
        if jobs.isEmpty || jobs.allSatisfy({ states[$0] == .never }) {
            state = .never
            text = jobs.isEmpty ? "No jobs recorded yet" : "No backup has run yet"
            return
        }
        let warned = jobs.filter { states[$0] == .warning }
        let lastEnd = input.loaded.state.night.lastEnd.map { ", last night ended \(clock.dateTime($0))" } ?? ""
        if !warned.isEmpty {
            state = .warning
            text = "All backups are current, with warnings: " + warned.joined(separator: ", ") + lastEnd
        } else {
            state = .ok
            text = "All backups are current" + lastEnd
        }
    }
}
