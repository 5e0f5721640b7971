import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `core.find_program` and `core.key_problem`: validation's questions to the file system;
/// `core.check.*` and `core.suggest`: the rules the DSL (checks.lua) applies whose one home is Swift (the
/// ranges the primitives check, argv templates, did-you-mean), as `value` or `nil, message`.
enum CheckBindings {
    /// `value`, or `nil, "<requirement>, got <value>"` for a range the core owns. A float
    /// (9.0) or a string ("9") is no whole number: it gets the requirement too.
    static func ranged(_ value: LuaValue, requirement: String, _ body: (Int64) throws(OptionError) -> Int) -> [LuaValue] {
        let shown: String
        switch value {
        case .nil, .boolean, .integer, .number, .string: shown = value.description
        default: shown = value.typeName
        }
        let got = ", got " + shown
        guard case .integer(let i) = value else { return [.nil, .string(requirement + got)] }
        do { return [.integer(Int64(try body(i)))] } catch { return [.nil, .string(error.requirement + got)] }
    }

    /// `seconds`, or `nil, "<requirement>"` for a duration the core range-checks.
    static func duration(_ value: LuaValue, _ body: (Double) throws(OptionError) -> Double) -> [LuaValue] {
        guard let seconds = value.doubleValue else { return [.nil, .string("a number of seconds expected, got \(value.typeName)")] }
        do { return [.number(try body(seconds))] } catch { return [.nil, .string(error.requirement)] }
    }

    static func install(_ m: inout ModuleBuilder) throws {
        // check.seconds / check.timeout: the durations every primitive takes (more than 0, at
        // most 10 years) and a process's time limit, the same rule `ns.exec` applies.
        try m.addCore("check.seconds", traced: false) { args in
            duration(args[1]) { (v) throws(OptionError) in try OptionCheck.seconds(v, field: "seconds") }
        }
        try m.addCore("check.timeout", traced: false) { args in
            duration(args[1]) { (v) throws(OptionError) in try OptionCheck.timeout(v, field: "timeout") }
        }
        // check.probe_form(text) -> text | nil: one probe as `ProbeMethod` parses it, so a host's
        // `probe` and `ns.ping{probe=}` agree on every spelling.
        try m.addCore("check.probe_form", traced: false) { args in
            guard let text = args[1].stringValue, ProbeMethod(parsing: text) != nil else { return [.nil] }
            return [.string(text)]
        }
        try m.addCore("check.port", traced: false) { args in
            ranged(args[1], requirement: OptionCheck.portRequirement) { (v) throws(OptionError) in
                Int(try OptionCheck.port(v, field: "port"))
            }
        }
        try m.addCore("check.wake_repeat", traced: false) { args in
            ranged(args[1], requirement: OptionCheck.countRequirement(OptionCheck.wakeRepeats)) { (v) throws(OptionError) in
                try OptionCheck.count(v, field: "repeat", in: OptionCheck.wakeRepeats)
            }
        }
        try m.addCore("check.ping_retries", traced: false) { args in
            ranged(args[1], requirement: OptionCheck.countRequirement(OptionCheck.probeRetries)) { (v) throws(OptionError) in
                try OptionCheck.count(v, field: "retries", in: OptionCheck.probeRetries)
            }
        }
        // check.template(argv, known) -> true | nil, why: placeholders, braces and NUL bytes by
        // ArgvTemplate.validate, the rule the substitution applies (checks.lua checked the array's shape).
        try m.addCore("check.template", traced: false) { args in
            let template = try args.table(1)
            // ns.template substitutes sequences only: a hole ({"a", [3] = "b"}) is found here.
            guard template.isSequence else { return [.nil, .string("argv template must be an array without holes")] }
            let argv = try template.array.map { v -> String in
                guard let s = v.stringValue else { throw args.error(1, "argv template items must be strings") }
                return s
            }
            let known = Set(try args.table(2).array.compactMap(\.stringValue))
            do { try ArgvTemplate.validate(argv, known: known) } catch { return [.nil, .string("\(error)")] }
            return [.boolean(true)]
        }
        // suggest(word, candidates) -> the likely meant one | nil: the one did-you-mean.
        try m.addCore("suggest", traced: false) { args in
            let word = try args.string(1)
            let candidates = try args.table(2).array.compactMap(\.stringValue)
            return [Suggestion.closest(to: word, in: candidates).map { .string($0) } ?? .nil]
        }
        // _find_program(name, folder [, PATH]) -> path | nil, why
        try m.addCore("find_program", traced: false) { args in
            let folder = try args.optionalString(2) ?? FileManager.default.currentDirectoryPath
            let path = try args.optionalString(3) ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            switch FileChecks.findProgram(try args.string(1), folder: folder, searchPath: path) {
            case .success(let found): return [.string(found)]
            case .failure(let why): return [.nil, .string(why.description)]
            }
        }
        // key_problem(path [, what]) -> why | nil; `what` names the file ("ssh key" by default).
        try m.addCore("key_problem", traced: false) { args in
            let what = try args.optionalString(2) ?? "ssh key"
            return [FileChecks.secretFileProblem(try args.string(1), what: what).map { .string($0) } ?? .nil]
        }
        // own_address(ip) -> boolean: one of this machine's interfaces has `ip` (the `self` default).
        try m.addCore("own_address", traced: false) { args in
            [.boolean(OwnAddresses.contains(try args.string(1)))]
        }
        // arp_problem() -> why | nil: ARP cannot be sent here (no CAP_NET_RAW), with the remedy.
        try m.addCore("arp_problem", traced: false) { _ in
            [ARPPermission.problem().map { .string($0) } ?? .nil]
        }
    }
}
