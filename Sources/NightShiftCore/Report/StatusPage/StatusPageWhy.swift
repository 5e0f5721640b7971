import Foundation

/// `#why` (the recent decisions and what kept this machine awake) and `#next`.
enum StatusPageWhy {
    /// How many decisions `#why` lists.
    static let entries = 12

    /// The recent cycles' decisions, newest first: a decision that repeats from one check to
    /// the next is one entry with its count, so an evening of "Work3 online" is one line.
    static func lines(_ cycles: [CycleRecord], clock: WallClockText, limit: Int = entries) -> [String] {
        var out: [(text: String, first: Double, last: Double, count: Int)] = []
        for c in cycles.reversed() {
            var text = (c.ran ? "backed up" : "no backup") + (c.manual ? " (manual)" : "")
            text += " - " + (c.decision ?? "no decision recorded")
            if c.ran || c.result == "failed" || c.result == "interrupted" { text += "; result: \(c.result)" }
            if let reason = c.reason { text += " (\(reason))" }
            if let awake = c.keptAwake { text += "; this machine stayed awake: \(awake)" }
            if let prev = out.last, prev.text == text {
                out[out.count - 1].first = c.start
                out[out.count - 1].count += 1
                continue
            }
            if out.count == limit { break }
            out.append((text, c.start, c.start, 1))
        }
        return out.map { e in
            let when = e.count > 1 ? "\(clock.dateTime(e.first)) to \(clock.time(e.last)) (\(e.count) checks)" : clock.dateTime(e.last)
            return "\(when): \(e.text)"
        }
    }

    static func why(_ input: StatusPageInput, clock: WallClockText) -> String {
        var html = "<section aria-labelledby=\"why-h\"><h2 id=\"why-h\">Why</h2>\n<ol id=\"why\">\n"
        if let pending = input.loaded.state.sleepPending {
            html += "<li class=\"awake\">This machine is kept awake since \(clock.dateTime(pending)): "
                + "a busy check held its sleep back; it tries again at every check</li>\n"
        }
        let lines = lines(input.cycles, clock: clock)
        for line in lines { html += "<li>\(HTMLText.escape(HTMLText.clip(line, 800)))</li>\n" }
        if lines.isEmpty && input.loaded.state.sleepPending == nil { html += "<li>No decision recorded yet</li>\n" }
        return html + "</ol></section>\n"
    }

    static func next(_ input: StatusPageInput, clock: WallClockText) -> String {
        let state = input.loaded.state
        var html = "<section aria-labelledby=\"next-h\"><h2 id=\"next-h\">Next</h2>\n<dl id=\"next\">\n"
        func relative(_ epoch: Double) -> String {
            let delta = epoch - input.now
            return delta >= 0 ? "in \(StatusPage.ago(delta))" : "overdue by \(StatusPage.ago(-delta))"
        }
        html += "<dt>Next check</dt><dd>"
        if let next = state.lastCycle?.nextCheck {
            html += "\(clock.dateTime(next)) (\(relative(next)))"
        } else if let stopped = state.lastCycle?.stoppedAt {
            html += "none: nightshift was stopped at \(clock.dateTime(stopped))"
        } else {
            html += "not scheduled"
        }
        html += "</dd>\n<dt>Next force window</dt><dd>"
        if let window = input.forceWindow {
            let nowDate = Date(timeIntervalSince1970: input.now)
            if let open = window.occurrence(containing: nowDate, in: input.timeZone) {
                html += "open now (\(window), until \(clock.time(open.upperBound.timeIntervalSince1970)))"
            } else {
                let opens = window.nextStart(after: nowDate, in: input.timeZone).timeIntervalSince1970
                html += "\(clock.dateTime(opens)) (\(window), \(relative(opens)))"
            }
        } else {
            html += "none (no force_window)"
        }
        html += "</dd>\n<dt>Wake alarm</dt><dd>"
        if let wake = state.selfWake, wake > input.now {
            html += "\(clock.dateTime(wake)) (\(relative(wake)))"
        } else {
            html += "none set"
        }
        return html + "</dd>\n</dl></section>\n"
    }
}
