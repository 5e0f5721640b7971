import LuaBinding
import NightShiftBase
import NightShiftCore

/// `ns.time.query` (SNTP) and `ns.time.step` (this machine's clock), and the clock rule the
/// library's clock sync asks before it sets any clock (`core.clock_step_refusal`).
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
        // core.clock_step_refusal(clock_time|nil, reference): why a clock that reads clock_time
        // must not be set to reference (invariant 13), or nil; one rule for targets and this machine.
        try m.addCore("clock_step_refusal") { args in
            let clock = try args.optionalNumber(1)
            let reference = try args.number(2)
            let refusal = ClockPlausibility.stepRefusal(clockTime: clock, reference: reference, maxStep: context.maxClockStep)
            return [refusal.map { .string($0) } ?? .nil]
        }
        try m.add("time.step") { args in
            let offset = try args.number(1)
            // A century bounds what any clock can be off (a dead RTC reads 2000 or 1970); the
            // rule below decides within it.
            guard offset.isFinite, abs(offset) <= 100 * 365.25 * 86_400 else {
                throw args.error(1, "offset must be a finite number of seconds, at most 100 years")
            }
            // Invariant 13, for every caller: the library's clock sync and a site's own code.
            let now = context.now()
            if let refusal = ClockPlausibility.stepRefusal(clockTime: now, reference: now + offset, maxStep: context.maxClockStep) {
                return [.nil, .string("not stepping this machine's clock: \(refusal)")]
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
