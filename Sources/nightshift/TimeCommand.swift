import ArgumentParser
import Foundation
import NightShiftCore
import NightShiftScripting

/// `nightshift time`: queries an NTP server with SNTP and prints offset, delay and stratum.
struct TimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time",
        abstract: "Query an NTP server (SNTP) for the local clock's offset.",
        discussion: """
            Prints "offset +S s, delay S s, stratum N, server time EPOCH".
            Exit status: 0 answered, 1 no valid answer (or the clock could not be stepped), 2 usage error.
            With --script SCRIPT, HOST is a host name of that site script (its first address is asked).
            An answer before this build's date is refused; --step never steps a clock that reads a
            plausible time by more than max_clock_step (the script's, else its default).
            """
    )

    @Option(help: "UDP port of the server.")
    var port: UInt16 = SNTPClient.defaultPort

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = SNTPClient.defaultTimeout

    @Flag(help: "Then step the local clock by the measured offset (needs CAP_SYS_TIME).")
    var step = false

    @Option(help: "Site script whose host name HOST is.")
    var script: String?

    @Argument(help: "NTP server name or address (a host name with --script).")
    var host: String

    func run() throws {
        var server = host
        var maxStep: Double?
        if let script {
            let runtime = try loadSite(script, dryRun: false).runtime
            maxStep = runtime.context.maxClockStep
            guard let address = try withSite({ try runtime.hostAddress(host) }) else {
                throw toolExit(.usage, "host \"\(host)\" has no address")
            }
            server = address
        }
        let sample: SNTPSample
        do {
            sample = try SNTPClient.query(server: server, port: port, timeout: timeout)
        } catch let error as SNTPError {
            if case .invalidOption = error { throw toolExit(.usage, "\(error)") }
            throw toolExit(.failed, "\(error)")
        }
        print("offset \(Self.signed(sample.offset)) s, delay \(Self.fixed(sample.delay)) s, "
            + "stratum \(sample.stratum), server time \(Self.fixed(sample.time))")
        guard step else { return }
        // Invariant 13 holds here too: the script's max_clock_step, else the schema's default.
        if maxStep == nil {
            let runtime = try ScriptRuntime(context: ScriptContext(log: try NightShiftLog(filePath: nil), options: ScriptOptions()))
            maxStep = try runtime.defaultSetting("max_clock_step").doubleValue
        }
        let now = Date().timeIntervalSince1970
        if let refusal = ClockPlausibility.stepRefusal(clockTime: now, reference: now + sample.offset, maxStep: maxStep) {
            throw toolExit(.failed, "not stepping the clock: \(refusal)")
        }
        do {
            try SystemClockStepper().step(by: sample.offset)
        } catch {
            throw toolExit(.failed, "\(error)")
        }
        print("stepped the clock by \(Self.signed(sample.offset)) s")
    }

    private static func fixed(_ value: Double) -> String {
        let micros = Int64((abs(value) * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return (value < 0 && micros != 0 ? "-" : "") + "\(micros / 1_000_000)."
            + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    private static func signed(_ value: Double) -> String {
        value < 0 ? fixed(value) : "+" + fixed(value)
    }
}

