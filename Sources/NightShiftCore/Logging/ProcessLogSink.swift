/// Logs a child's output lines as `[stamp] OUT   label: line` / `[stamp] ERR   label: line`.
struct ProcessLogSink: LineSink {
    let log: NightShiftLog
    let targets: LogTargets
    let outPrefix: [UInt8]
    let errPrefix: [UInt8]

    init(log: NightShiftLog, targets: LogTargets, label: String) {
        self.log = log
        self.targets = targets
        // The label is a job or host name from the script: escaped like the lines themselves.
        let safe = ControlEscaping.escaped(Array(label.utf8))
        self.outPrefix = Array("OUT   ".utf8) + safe + Array(": ".utf8)
        self.errPrefix = Array("ERR   ".utf8) + safe + Array(": ".utf8)
    }

    func receive(_ stream: ProcessStream, lines: LineBatch) {
        log.writeLines(lines, prefix: stream == .stdout ? outPrefix : errPrefix, to: targets)
    }
}
