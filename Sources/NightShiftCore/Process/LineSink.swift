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

/// A `LineSink` made from a closure called once per line.
public struct ClosureLineSink: LineSink {
    private let body: @Sendable (ProcessStream, ArraySlice<UInt8>) -> Void

    /// Wraps `body`, called for each line in order.
    public init(_ body: @escaping @Sendable (ProcessStream, ArraySlice<UInt8>) -> Void) {
        self.body = body
    }

    /// Calls the closure for every line of the batch.
    public func receive(_ stream: ProcessStream, lines: LineBatch) {
        for line in lines { body(stream, line) }
    }
}
