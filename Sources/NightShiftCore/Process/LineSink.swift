/// Which of a child's output streams a line came from.
public enum ProcessStream: String, Sendable, Hashable {
    /// Standard output.
    case stdout
    /// Standard error.
    case stderr
}

/// Receives a child's output lines while it runs, one batch per read.
///
/// A batch holds every complete line one read produced, in order, without
/// their `\n` (a trailing `\r` is removed too). Batches, rather than single
/// lines, let a logger take its lock and issue one `write` per read: a child
/// printing 30 million short lines would otherwise cost 30 million syscalls.
/// Calls for stdout and stderr may come from two threads at once.
public protocol LineSink: Sendable {
    /// Handles the lines of one read of `stream`, in arrival order.
    func receive(_ stream: ProcessStream, lines: LineBatch)
}
