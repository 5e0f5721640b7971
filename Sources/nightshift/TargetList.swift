import Foundation

/// Targets read from a file or standard input, one per line (`nightshift ping --targets-file`, `-`).
///
/// Read here rather than passed as arguments: ArgumentParser's cost grows faster than linearly
/// with the argument count (10,000 hosts took it seconds), and a file has no ARG_MAX.
enum TargetList {
    /// The targets in `text`: one per line, surrounding blanks trimmed; empty lines and
    /// lines starting with `#` skipped.
    static func parse(_ text: Substring) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let target = line.trimmingCharacters(in: .whitespaces)
            return target.isEmpty || target.hasPrefix("#") ? nil : target
        }
    }

    /// The targets of `path`, or of standard input for `-`.
    static func read(_ path: String) throws -> [String] {
        let data: Data?
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: path)
        }
        guard let data else { throw toolExit(.usage, "cannot read targets file \(path)") }
        return parse(Substring(String(decoding: data, as: UTF8.self)))
    }

    /// `arguments` with every `-` replaced by the targets on standard input, then those of `file`.
    static func combine(_ arguments: [String], file: String?) throws -> [String] {
        var targets: [String] = []
        var stdinRead = false
        for argument in arguments {
            if argument == "-" {
                if !stdinRead { targets += try read("-") }
                stdinRead = true
            } else {
                targets.append(argument)
            }
        }
        if let file { targets += try read(file) }
        guard !targets.isEmpty else {
            throw toolExit(.usage, "no hosts given (as arguments, `-` for standard input, or --targets-file FILE)")
        }
        return targets
    }
}
