import Foundation
@testable import NightShiftCore

/// A NightShiftLog whose console is a pipe we can read back, and whose file lives in a temp folder.
final class CapturedLog {
    let log: NightShiftLog
    let dir: String
    let filePath: String
    private let readEnd: Int32
    private let writeEnd: Int32

    init(terminal: Bool = false, colors: Bool? = nil, journal: Bool = false, debug: Bool = false, subfolder: String = "") throws {
        dir = NSTemporaryDirectory() + "nightshift-log-" + UUID().uuidString
        filePath = dir + subfolder + "/Backup.log"
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0)
        readEnd = ends[0]
        writeEnd = ends[1]
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        log = try NightShiftLog(filePath: filePath, debug: debug, consoleIsTerminal: terminal, colors: colors,
                                journal: journal, consoleDescriptor: writeEnd)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Everything written to the console so far (drains the pipe).
    func console() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(readEnd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func file() -> String {
        (try? String(contentsOfFile: filePath, encoding: .utf8)) ?? ""
    }

    func fileLines() -> [String] {
        file().split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

/// `[YYYY-MM-DD @ HH:MM:SS] ` as a regular expression.
let stampPattern = #"\[\d{4}-\d{2}-\d{2} @ \d{2}:\d{2}:\d{2}\] "#

func matches(_ text: String, _ pattern: String) -> Bool {
    text.range(of: "^" + pattern + "$", options: .regularExpression) != nil
}
