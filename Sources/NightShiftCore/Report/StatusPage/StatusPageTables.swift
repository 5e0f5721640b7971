import Foundation

/// The page's tables: `#jobs`, `#nights` and `#hosts`.
enum StatusPageTables {
    /// `#jobs`: a row per job with its state in words (colour only repeats it).
    static func jobs(_ input: StatusPageInput, clock: WallClockText) -> String {
        var html = "<section aria-labelledby=\"jobs-h\"><h2 id=\"jobs-h\">Jobs</h2>\n"
        let names = input.jobs
        guard !names.isEmpty else { return html + "<p id=\"jobs\">No job has been declared or run yet.</p></section>\n" }
        html += "<table id=\"jobs\">\n<thead><tr><th scope=\"col\">Job</th><th scope=\"col\">State</th>"
            + "<th scope=\"col\">Last run</th><th scope=\"col\">Last good</th><th scope=\"col\">Took</th>"
            + "<th scope=\"col\">Copied</th><th scope=\"col\">Reason</th><th scope=\"col\">Last \(StatusPage.days) nights</th></tr></thead>\n<tbody>\n"
        let days = input.lastDays
        for name in names {
            let job = input.loaded.state.jobs[name]
            let state = input.state(ofJob: name)
            let runs = input.runs(of: name)
            let e = HTMLText.escape(name)
            var row = "<tr data-job=\"\(e)\" data-state=\"\(state.rawValue)\">"
            row += "<th scope=\"row\" data-label=\"Job\">\(e)</th>"
            row += "<td data-label=\"State\"><span class=\"badge s-\(state.rawValue)\">\(state.rawValue)</span></td>"
            let last = job?.lastStart.map { clock.dateTime($0) + (job?.result.map { " - \($0.rawValue)" } ?? "") } ?? "never"
            row += "<td data-label=\"Last run\">\(last)</td>"
            let good = job?.lastGood.map { "\(StatusPage.ago(input.now - $0)) ago" } ?? "never"
            row += "<td data-label=\"Last good\">\(good)</td>"
            var took = "-"
            if let job, let s = job.lastStart, let e = job.lastEnd, e >= s { took = StatusPage.ago(e - s) }
            if let job, job.result == .running, let s = job.lastStart { took = "\(StatusPage.ago(input.now - s)) so far" }
            row += "<td data-label=\"Took\">\(took)</td>"
            row += "<td data-label=\"Copied\">\(copied(runs.last))</td>"
            let reason = job?.result == .ok ? "" : (job?.reason ?? "")
            row += "<td data-label=\"Reason\" class=\"reason\">\(HTMLText.escape(HTMLText.clip(reason)))</td>"
            row += "<td data-label=\"Last \(StatusPage.days) nights\">\(sparkline(runs, days: days, input: input))</td>"
            html += row + "</tr>\n"
        }
        return html + "</tbody>\n</table></section>\n"
    }

    /// "1,234 files, 1.2 GiB" from the copy tool's counts, "-" when it reported none.
    static func copied(_ run: JobRecord?) -> String {
        var parts: [String] = []
        if let files = run?.files { parts.append("\(files) file\(files == 1 ? "" : "s")") }
        if let bytes = run?.bytes { parts.append(humanBytes(bytes)) }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    /// Binary units with one decimal: what an admin reads at a glance.
    static func humanBytes(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = (value * 10).rounded() / 10
        return "\(tenths) \(units[unit])"
    }

    /// An inline SVG: one bar per day, its height the run's duration, its class the result;
    /// the counts are in the label, so the state does not rest on colour.
    static func sparkline(_ runs: [JobRecord], days: [String], input: StatusPageInput) -> String {
        var lastRun: [String: JobRecord] = [:]
        for run in runs { lastRun[input.day(run.start)] = run }
        let longest = max(1, days.compactMap { lastRun[$0]?.seconds }.max() ?? 1)
        var counts: [String: Int] = [:]
        var bars = ""
        for (i, day) in days.enumerated() {
            let x = i * 4
            guard let run = lastRun[day] else {
                counts["none", default: 0] += 1
                bars += "<rect x=\"\(x)\" y=\"17\" width=\"3\" height=\"1\" class=\"b-none\"/>"
                continue
            }
            let word = run.result == .interrupted ? "failed" : run.result.rawValue
            counts[word, default: 0] += 1
            let h = max(3, Int((max(0, run.seconds) / longest * 16).rounded()))
            bars += "<rect x=\"\(x)\" y=\"\(18 - h)\" width=\"3\" height=\"\(h)\" class=\"b-\(word)\">"
                + "<title>\(day): \(word), \(StatusPage.ago(run.seconds))</title></rect>"
        }
        let summary = ["ok", "warning", "failed", "running", "none"].compactMap { w in counts[w].map { "\($0) \(w)" } }
            .joined(separator: ", ")
        return "<svg class=\"spark\" viewBox=\"0 0 \(days.count * 4) 18\" width=\"\(days.count * 4)\" height=\"18\" role=\"img\" "
            + "aria-label=\"last \(days.count) nights: \(summary)\">\(bars)</svg>"
    }

    /// `#nights`: one cell per day, the result in words, the decisions in `title`.
    static func nights(_ input: StatusPageInput) -> String {
        var html = "<section aria-labelledby=\"nights-h\"><h2 id=\"nights-h\">Last \(StatusPage.days) nights</h2>\n<ol id=\"nights\">\n"
        for cell in input.nightCells() {
            let dayOfMonth = cell.day.split(separator: "-").last.map(String.init) ?? cell.day
            html += "<li data-day=\"\(cell.day)\" data-result=\"\(cell.result.rawValue)\" class=\"s-\(cell.result.rawValue)\" "
                + "title=\"\(HTMLText.escape(HTMLText.clip(cell.title)))\"><span class=\"dom\">\(dayOfMonth)</span> "
                + "<span class=\"word\">\(cell.result.rawValue)</span></li>\n"
        }
        return html + "</ol></section>\n"
    }

    /// `#hosts`: state at the last sweep, since when, last seen and the presence strip.
    static func hosts(_ input: StatusPageInput, clock: WallClockText) -> String {
        var html = "<section aria-labelledby=\"hosts-h\"><h2 id=\"hosts-h\">Hosts</h2>\n"
        let names = input.hosts
        guard !names.isEmpty else { return html + "<p id=\"hosts\">No host has been swept yet.</p></section>\n" }
        html += "<table id=\"hosts\">\n<thead><tr><th scope=\"col\">Host</th><th scope=\"col\">State</th>"
            + "<th scope=\"col\">Why</th><th scope=\"col\">Last seen</th><th scope=\"col\">Usually up (24 h)</th></tr></thead>\n<tbody>\n"
        for name in names {
            let host = input.loaded.state.hosts[name]
            let state = input.state(ofHost: name)
            let e = HTMLText.escape(name)
            var row = "<tr data-host=\"\(e)\" data-state=\"\(state.rawValue)\"><th scope=\"row\" data-label=\"Host\">\(e)</th>"
            row += "<td data-label=\"State\"><span class=\"badge s-\(state.rawValue)\">\(state.rawValue)</span></td>"
            var why: String
            switch state {
            case .online: why = "answered the sweep"
            case .offline: why = "no answer at the sweep"
            case .unknown: why = host?.lastSweep == nil ? "not swept yet" : "the probe could not be made"
            }
            // The probe's own words when the sweep left them (how it answered, why it could not tell).
            if let probe = host?.probe { why = probe }
            // An unknown probe leaves lastSweep at the last sweep that could tell: not this one.
            if let sweep = host?.lastSweep, state != .unknown { why += " at the sweep of \(clock.dateTime(sweep))" }
            if let since = host?.since, state != .unknown { why += "; \(state.rawValue) since \(clock.dateTime(since))" }
            row += "<td data-label=\"Why\">\(HTMLText.escape(why))</td>"
            let seen = host?.lastSeen.map { "\(clock.dateTime($0)) (\(StatusPage.ago(input.now - $0)) ago)" } ?? "never"
            row += "<td data-label=\"Last seen\">\(seen)</td>"
            row += "<td data-label=\"Usually up\">\(presence(host?.presence, input: input))</td>"
            html += row + "</tr>\n"
        }
        return html + "</tbody>\n</table></section>\n"
    }

    /// The learned 24-hour strip as SVG, with the usual hours as text beside it.
    static func presence(_ presence: HostPresence?, input: StatusPageInput) -> String {
        guard let recent = presence?.recent(asOf: input.now, timeZone: input.timeZone), !recent.isEmpty else {
            return "not learned yet"
        }
        let usual = PresenceReport.usualHours(recent)
        var rects = ""
        for (hour, symbol) in recent.strip.enumerated() {
            let cls = symbol == "#" ? "p-up" : (symbol == "+" ? "p-some" : (symbol == "." ? "p-off" : "p-none"))
            rects += "<rect x=\"\(hour * 5)\" y=\"0\" width=\"4\" height=\"12\" class=\"\(cls)\"/>"
        }
        return "<svg class=\"strip\" viewBox=\"0 0 120 12\" width=\"120\" height=\"12\" role=\"img\" "
            + "aria-label=\"usually up: \(usual)\">\(rects)</svg> <span class=\"usual\">\(HTMLText.escape(usual))</span>"
    }
}
