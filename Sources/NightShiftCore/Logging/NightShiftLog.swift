import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The NightShift log: stamped lines to the console and to an append-only file.
///
/// Every line reads `[YYYY-MM-DD @ HH:MM:SS] LEVEL message`, the original
/// program's stamp followed by a fixed-width level. All console output goes
/// to one stream, standard output, so an admin watching the console (or a
/// journal capturing it) sees the whole story in order; warnings and errors
/// are coloured when that stream is a terminal (and `NO_COLOR` is unset).
/// All writes happen under one lock, one `write` per message or per batch of
/// child lines, so concurrent writers never interleave inside a line.
///
/// Control characters in any line are escaped (see ``ControlEscaping``); a
/// message with embedded newlines becomes one stamped line per line. The file
/// is reopened on ``reopen()`` (SIGHUP) and, at most once a second, when its
/// path no longer names the open file (moved away by logrotate).
public final class NightShiftLog: Sendable {
    private struct State {
        var file: FileOutput?
        var path: String?
        /// The open file's device and inode, compared with the path's once a second.
        var identity: FileIdentity?
        var identityCheckSecond = -1
        var stampSecond = -1
        var stamp: [UInt8] = []
        /// The live status line now on the terminal, redrawn after other output.
        var status: [UInt8]?
        var fileFailureReported = false

        mutating func currentStamp() -> [UInt8] {
            let now = Int(time(nil))
            if now != stampSecond {
                stampSecond = now
                stamp = LogStamp.bytes(now)
            }
            return stamp
        }
    }

    private let state: Mutex<State>
    private let debugFlag: Atomic<Bool>
    private let console: FileOutput
    /// True when the console is a terminal: live status lines and colours are used.
    public let consoleIsTerminal: Bool
    /// True when console lines carry ANSI colours.
    public let colors: Bool
    /// True when standard output is journald's (`JOURNAL_STREAM`): console lines start
    /// with a syslog priority (`<6>` info, `<4>` warn, `<3>` error, `<7>` debug), as
    /// sd-daemon(3) reads them, with no colours and no live status line.
    public let journal: Bool

    /// Opens (creating folders as needed) the log file at `filePath`, or logs to the
    /// console only when it is nil. `consoleIsTerminal` nil asks `isatty`; `colors`
    /// nil means "on a terminal, unless NO_COLOR is set or TERM is dumb"; `journal` nil
    /// means "when `JOURNAL_STREAM` is set" (systemd sets it for a unit's output), and a
    /// journal console is never a terminal and never coloured.
    /// `consoleDescriptor` is standard output unless a test passes a pipe.
    public init(
        filePath: String?,
        debug: Bool = false,
        consoleIsTerminal: Bool? = nil,
        colors: Bool? = nil,
        journal: Bool? = nil,
        consoleDescriptor: Int32 = STDOUT_FILENO
    ) throws {
        let journal = journal ?? (getenv("JOURNAL_STREAM") != nil)
        let terminal = !journal && (consoleIsTerminal ?? (isatty(consoleDescriptor) == 1))
        let term = getenv("TERM").map { String(cString: $0) }
        self.journal = journal
        self.consoleIsTerminal = terminal
        self.colors = !journal && (colors ?? (terminal && getenv("NO_COLOR") == nil && term != "dumb"))
        BrokenPipe.ignore
        self.console = FileOutput(descriptor: consoleDescriptor)
        self.debugFlag = Atomic(debug)
        self.state = Mutex(State())
        try setFile(filePath)
    }

    /// The log file's path, or nil when logging to the console only.
    public var path: String? { state.withLock { $0.path } }

    /// True when debug lines are written.
    public var isDebugEnabled: Bool { debugFlag.load(ordering: .relaxed) }

    /// Turns debug lines on or off (e.g. from `--debug` or a script setting).
    public func setDebug(_ enabled: Bool) {
        debugFlag.store(enabled, ordering: .relaxed)
    }

    /// Switches to another log file (e.g. once the script's `log_file` is known),
    /// or to none. Creates missing parent folders. The old file is closed.
    public func setFile(_ filePath: String?) throws {
        let output = try filePath.map(Self.open)
        let old = state.withLock { state -> FileOutput? in
            let old = state.file
            state.file = output
            state.path = filePath
            state.identity = output?.identity()
            state.fileFailureReported = false
            return old
        }
        if let old { close(old.descriptor) }
    }

    /// Reopens the log file at its path (SIGHUP, logrotate's `postrotate`): later lines go to
    /// the file now there, created if it was moved away. On failure the old file stays open
    /// and the reason is logged.
    public func reopen() {
        state.withLock { state in reopenFile(&state, why: "reopen") }
    }

    private static func open(_ filePath: String) throws -> FileOutput {
        let parent = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !parent.isEmpty { try FileOutput.makeDirectories(parent) }
        return try FileOutput.openForAppend(filePath)
    }

    /// Swaps in a fresh descriptor for `state.path`; called with the lock held. The open is
    /// non-blocking (see ``SafeOpen``), so holding the lock across it cannot hang a writer.
    private func reopenFile(_ state: inout State, why: String) {
        guard let path = state.path else { return }
        do {
            let fresh = try Self.open(path)
            if let old = state.file { close(old.descriptor) }
            state.file = fresh
            state.identity = fresh.identity()
            state.fileFailureReported = false
        } catch {
            let note = state.currentStamp() + Array(" ERROR cannot \(why) the log file: ".utf8)
                + ControlEscaping.escaped(Array("\(error)".utf8)) + [0x0A]
            writeConsole((journal ? Self.priority(for: .error) : []) + note, &state)
            if let file = state.file { file.write(note) }
            // Do not retry on every line: the next check is a second away.
            state.identity = FileIdentity.of(path) ?? state.identity
        }
    }

    /// Reopens the file when its path now names another file or none (checked once a second).
    private func followMovedFile(_ state: inout State) {
        guard let path = state.path, state.file != nil, state.identityCheckSecond != state.stampSecond else { return }
        state.identityCheckSecond = state.stampSecond
        let current = FileIdentity.of(path)
        if current == nil || current != state.identity { reopenFile(&state, why: "reopen moved") }
    }

    deinit {
        state.withLock { state in
            if let file = state.file { close(file.descriptor) }
        }
    }

    /// Writes `message` at `level` to `targets`; debug lines only when debug is on.
    /// A multi-line message gets a stamp on every line.
    public func log(_ level: LogLevel, _ message: String, to targets: LogTargets = .both) {
        if level == .debug, !isDebugEnabled { return }
        // A URL a message quotes may carry credentials (ntfy's user:password@, a
        // Healthchecks UUID): the log shows it redacted, as everything else does.
        let lines = ControlEscaping.lines(URLRedaction.redactURLs(in: message))
        let tag = Array(level.tag.utf8)
        let colour = colors ? Self.colour(for: level) : nil
        let priority = journal ? Self.priority(for: level) : nil
        state.withLock { state in
            let stamp = state.currentStamp()
            var plain: [UInt8] = []
            var painted: [UInt8] = []
            for line in lines {
                var body = stamp
                body.append(0x20)
                body.append(contentsOf: tag)
                body.append(0x20)
                body.append(contentsOf: line)
                plain.append(contentsOf: body)
                plain.append(0x0A)
                if let colour {
                    painted.append(contentsOf: colour)
                    painted.append(contentsOf: body)
                    painted.append(contentsOf: Self.reset)
                    painted.append(0x0A)
                } else if let priority {
                    painted.append(contentsOf: priority)
                    painted.append(contentsOf: body)
                    painted.append(0x0A)
                }
            }
            if targets.contains(.file) { writeFile(plain, &state) }
            if targets.contains(.console) { writeConsole(painted.isEmpty ? plain : painted, &state) }
        }
    }

    /// Logs at debug level (only when debug is on), console and file.
    public func debug(_ message: String) { log(.debug, message) }
    /// Logs at info level, console and file.
    public func info(_ message: String) { log(.info, message) }
    /// Logs at warn level, console and file.
    public func warn(_ message: String) { log(.warn, message) }
    /// Logs at error level, console and file.
    public func error(_ message: String) { log(.error, message) }
    /// Logs to the console only.
    public func console(_ message: String, level: LogLevel = .info) { log(level, message, to: .console) }
    /// Logs to the log file only.
    public func file(_ message: String, level: LogLevel = .info) { log(level, message, to: .file) }

    /// Shows `text` as the live status line (rewritten in place with `\r`) on a
    /// terminal; does nothing when the console is not a terminal.
    public func status(_ text: String) {
        guard consoleIsTerminal else { return }
        state.withLock { state in
            let line = ControlEscaping.escaped(Array(text.utf8))
            state.status = line
            console.write(Self.clearLine + line)
        }
    }

    /// Erases the live status line, if one is shown.
    public func clearStatus() {
        guard consoleIsTerminal else { return }
        state.withLock { state in
            guard state.status != nil else { return }
            state.status = nil
            console.write(Self.clearLine)
        }
    }

    /// A line sink that logs a child's lines as `OUT`/`ERR` lines prefixed with
    /// `label`, routed by `mode`; nil for `.none`.
    public func processSink(mode: LogMode, label: String) -> (any LineSink)? {
        switch mode {
        case .none: return nil
        case .file: return ProcessLogSink(log: self, targets: .file, label: label)
        case .console: return ProcessLogSink(log: self, targets: .console, label: label)
        case .both: return ProcessLogSink(log: self, targets: .both, label: label)
        }
    }

    /// Writes already-split child lines: one stamp for the batch, one `write` per target.
    func writeLines(_ batch: LineBatch, prefix: [UInt8], to targets: LogTargets) {
        guard !batch.isEmpty else { return }
        let lines = batch.redactingURLs()
        if journal, targets.contains(.console) {
            // The journal needs the priority at the start of every console line, so the
            // console gets its own copy; the file keeps the plain lines.
            if targets.contains(.file) { writeLines(lines, prefix: prefix, head: [], to: .file) }
            writeLines(lines, prefix: prefix, head: Self.priority(for: .info), to: .console)
            return
        }
        writeLines(lines, prefix: prefix, head: [], to: targets)
    }

    private func writeLines(_ lines: LineBatch, prefix: [UInt8], head priority: [UInt8], to targets: LogTargets) {
        state.withLock { state in
            let stamp = state.currentStamp()
            let head = priority + stamp + [0x20] + prefix
            if Self.needsEscaping(lines) {
                var buffer: [UInt8] = []
                buffer.reserveCapacity(lines.byteCount + lines.count * (head.count + 1) + 64)
                lines.storage.withUnsafeBufferPointer { source in
                    for range in lines.ranges {
                        buffer.append(contentsOf: head)
                        ControlEscaping.append(UnsafeBufferPointer(rebasing: source[range]), to: &buffer)
                        buffer.append(0x0A)
                    }
                }
                if targets.contains(.file) { writeFile(buffer, &state) }
                if targets.contains(.console) { writeConsole(buffer, &state) }
                return
            }
            let size = lines.byteCount + lines.count * (head.count + 1)
            // Filled with raw copies: appending slice by slice retains the
            // source buffer once per line, which dominated the profile.
            let buffer = [UInt8](unsafeUninitializedCapacity: size) { out, count in
                head.withUnsafeBufferPointer { headBytes in
                    lines.storage.withUnsafeBufferPointer { source in
                        var at = 0
                        for range in lines.ranges {
                            _ = UnsafeMutableBufferPointer(rebasing: out[at..<(at + headBytes.count)]).initialize(from: headBytes)
                            at += headBytes.count
                            _ = UnsafeMutableBufferPointer(rebasing: out[at..<(at + range.count)])
                                .initialize(from: UnsafeBufferPointer(rebasing: source[range]))
                            at += range.count
                            out[at] = 0x0A
                            at += 1
                        }
                        count = at
                    }
                }
            }
            if targets.contains(.file) { writeFile(buffer, &state) }
            if targets.contains(.console) { writeConsole(buffer, &state) }
        }
    }

    private static func needsEscaping(_ lines: LineBatch) -> Bool {
        lines.storage.withUnsafeBufferPointer { source in
            lines.ranges.contains { ControlEscaping.needsEscaping(UnsafeBufferPointer(rebasing: source[$0])) }
        }
    }

    private func writeFile(_ bytes: [UInt8], _ state: inout State) {
        followMovedFile(&state)
        guard let file = state.file else { return }
        if !file.write(bytes), !state.fileFailureReported {
            // Report once on the console; repeating it per line would drown the console.
            state.fileFailureReported = true
            let reason = ExecError.describe(errno: errno)
            let note = state.currentStamp() + Array(" ERROR cannot write log file \"\(state.path ?? "")\": \(reason)\n".utf8)
            writeConsole((journal ? Self.priority(for: .error) : []) + note, &state)
        }
    }

    private func writeConsole(_ bytes: [UInt8], _ state: inout State) {
        guard let status = state.status else {
            console.write(bytes)
            return
        }
        // Lift the live line out of the way, print, then put it back below.
        console.write(Self.clearLine + bytes + status)
    }

    private static let clearLine: [UInt8] = Array("\r\u{1B}[K".utf8)
    private static let reset: [UInt8] = Array("\u{1B}[0m".utf8)

    /// The syslog priority prefix journald reads (sd-daemon(3)).
    private static func priority(for level: LogLevel) -> [UInt8] {
        switch level {
        case .debug: return Array("<7>".utf8)
        case .info: return Array("<6>".utf8)
        case .warn: return Array("<4>".utf8)
        case .error: return Array("<3>".utf8)
        }
    }

    private static func colour(for level: LogLevel) -> [UInt8]? {
        switch level {
        case .debug: return Array("\u{1B}[2m".utf8)
        case .info: return nil
        case .warn: return Array("\u{1B}[33m".utf8)
        case .error: return Array("\u{1B}[1;31m".utf8)
        }
    }
}
