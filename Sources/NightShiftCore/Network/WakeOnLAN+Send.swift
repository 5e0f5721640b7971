import Glibc
import NightShiftBase

/// Sending magic packets (building and parsing them is pure and lives in NightShiftBase).
extension WakeOnLAN {
    /// Sends every MAC's packet `repeatCount` times; returns the number of packets sent.
    public static func send(_ macs: [MACAddress], options: WakeOptions = WakeOptions()) throws -> Int {
        let options = try options.validated()
        guard let destination = SocketAddress(numeric: options.broadcast, port: options.port) else {
            throw NetworkError.invalidOption("broadcast must be a numeric IPv4 address")
        }
        let packets = try macs.map { try magicPacket(for: $0, password: options.password) }
        guard !packets.isEmpty else { return 0 }

        let handle: SocketHandle
        do {
            handle = try SocketHandle(family: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
            try handle.setOption(level: SOL_SOCKET, name: SO_BROADCAST, value: 1)
            if let interface = options.interface { try handle.bind(toDevice: interface) }
        } catch {
            throw NetworkError.socketFailure(operation: error.operation, errno: error.errno)
        }
        if let via = options.via, let source = SocketAddress(numeric: via) {
            do { try handle.bind(to: source) } catch {
                throw NetworkError.invalidSourceAddress(via, reason: NetSys.errorText(error.errno))
            }
        }
        var sent = 0
        for _ in 0..<options.repeatCount {
            for packet in packets {
                if let code = handle.send(packet, to: destination) {
                    throw NetworkError.socketFailure(operation: "sending Wake-on-LAN to \(destination)", errno: code)
                }
                sent += 1
            }
        }
        return sent
    }
}
