import ArgumentParser
import Foundation
import NightShiftCore

/// `nightshift wake`: sends Wake-on-LAN magic packets.
struct WakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wake",
        abstract: "Send Wake-on-LAN magic packets to one or more MAC addresses.",
        discussion: """
            MAC formats: AA:BB:CC:DD:EE:FF, AA-BB-CC-DD-EE-FF, AABBCCDDEEFF.
            Prints how many packets were sent. Exit status: 0 sent, 1 sending failed, 2 usage error.
            With --script SCRIPT, the arguments are host names of that site script, woken as the night
            wakes them (all their MACs, via, interface, broadcast, port, password, wake_repeat).
            """
    )

    @Option(help: "Destination IPv4 broadcast address.")
    var broadcast: String = WakeOptions().broadcast

    @Option(help: "UDP port (9 or 7).")
    var port: UInt16 = WakeOptions().port

    @Option(help: "Source IPv4 address to send from (picks the NIC).")
    var via: String?

    @Option(help: "Network interface to send through.")
    var interface: String?

    @Option(help: "SecureOn password: 4 or 6 hex bytes (01:02:03:04:05:06) or a.b.c.d. Never printed.")
    var password: String?

    @Option(name: .customLong("repeat"), help: "Packets per MAC address.")
    var repeatCount: Int = WakeOptions().repeatCount

    @Option(help: "Site script whose host names the arguments are.")
    var script: String?

    @Argument(help: "MAC addresses (host names with --script).")
    var macs: [String]

    func run() throws {
        if let script {
            let runtime = try loadSite(script, dryRun: false).runtime
            for name in macs {
                let sent = try withSite { try runtime.wakeHost(name) }
                print("sent \(sent) magic packet\(sent == 1 ? "" : "s") for \(name)")
            }
            return
        }
        let parsed: [MACAddress]
        var options = WakeOptions(broadcast: broadcast, port: port, via: via, interface: interface,
                                  repeatCount: repeatCount)
        do {
            parsed = try macs.map { try MACAddress(parsing: $0) }
            options.password = try password.map { try WakeOnLAN.parsePassword($0) }
        } catch {
            throw toolExit(.usage, "\(error)")
        }
        let sent: Int
        do {
            sent = try WakeOnLAN.send(parsed, options: options)
        } catch let error as NetworkError {
            if case .socketFailure = error { throw toolExit(.failed, "\(error)") }
            throw toolExit(.usage, "\(error)")
        }
        let targets = parsed.map(\.description).joined(separator: ", ")
        print("sent \(sent) magic packet\(sent == 1 ? "" : "s") for \(targets) to \(broadcast):\(port)")
    }
}

