extension HistoryLog {
    /// The records whose start is at or after `since` (epoch), oldest first: what the status
    /// page and `status` show. Callers ask only for the recent past, so that a reader that
    /// reads from the end of the file serves them unchanged: no cycle's cost should grow
    /// with the age of the installation.
    public func recent(since: Double) throws -> HistoryContents {
        // Read from the end: every record that started at `since` or later ended then too.
        var contents = try records(since: since)
        contents.records.removeAll { record in
            switch record {
            case .cycle(let c): return c.start < since
            case .job(let j): return j.start < since
            }
        }
        return contents
    }
}
