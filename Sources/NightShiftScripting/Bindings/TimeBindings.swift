import LuaBinding
import NightShiftCore

/// `ns.time.query` (SNTP) and `ns.time.step` (this machine's clock).
enum TimeBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.add("time.query") { args in
            let server = try args.string(1)
            if server.utf8.contains(0) { throw args.error(1, "server must not contain a NUL byte") }
            let o = try args.options(2, allowed: ["port", "timeout"])
            let requestedPort = try o.integer("port") ?? Int64(SNTPClient.defaultPort)
            let port = try NetworkBindings.check(args, 2) { () throws(OptionError) in
                try OptionCheck.port(requestedPort, field: "port")
            }
            // Inside a time-limited hook the query ends when the hook's time does.
            let timeout = max(0.001, context.bounded(try NetworkBindings.seconds(o, "timeout", args: args) ?? SNTPClient.defaultTimeout))
            do {
                let s = try SNTPClient.query(server: server, port: port, timeout: timeout, interruption: context.interruption)
                return [.table(LuaTable([
                    "offset": .number(s.offset), "delay": .number(s.delay),
                    "stratum": .integer(Int64(s.stratum)), "time": .number(s.time),
                ]))]
            } catch is InterruptedError {
                try context.checkInterrupted()
                throw LuaRuntimeError("interrupted")
            } catch {
                return [.nil, .string("\(error)")]
            }
        }
        try m.add("time.step") { args in
            let offset = try args.number(1)
            // A clock is never stepped by more than 10 years: such an offset is a bug, not a clock.
            guard offset.isFinite, abs(offset) <= DurationText.maximum else {
                throw args.error(1, "offset must be a finite number of seconds, at most 10 years")
            }
            if context.options.dryRun {
                context.dryRun(String(format: "step this machine's clock by %+.3f s", offset))
                return [true]
            }
            do {
                try context.clockStepper.step(by: offset)
                return [true]
            } catch {
                return [.nil, .string("\(error)")]
            }
        }
    }
}
