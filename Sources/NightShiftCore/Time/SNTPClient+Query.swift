import Glibc
import NightShiftBase

/// The UDP exchange of an SNTP query (validating the reply is pure and lives in NightShiftBase).
extension SNTPClient {
    /// Asks `server` for its time once; throws `SNTPError` when no valid answer arrives in time,
    /// `SNTPError.invalidOption` for a bad port, timeout or server text (`OptionCheck`), and
    /// `InterruptedError` within about 50 ms of `interruption` being raised.
    public static func query(
        server: String, port: UInt16 = defaultPort, timeout: Double = defaultTimeout, interruption: Interruption? = nil
    ) throws -> SNTPSample {
        do {
            _ = try OptionCheck.seconds(timeout, field: "timeout")
            _ = try OptionCheck.port(Int64(port), field: "port")
            _ = try OptionCheck.noNUL(server, field: "server")
        } catch {
            throw SNTPError.invalidOption(error.description)
        }
        let address: SocketAddress
        switch HostResolver.resolve(server, port: port) {
        case .success(let resolved): address = resolved
        case .failure(let failure): throw SNTPError.unresolvable(server: server, reason: failure.message)
        }
        let handle: SocketHandle
        do {
            handle = try SocketHandle(family: address.family, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
            try handle.setNonBlocking()
            try handle.setOption(level: SOL_SOCKET, name: LinuxSocketConstants.soTimestampNS, value: 1)
        } catch {
            throw SNTPError.socketFailure(server: server, reason: error.message)
        }
        // A connected socket hears the ICMP "port unreachable" as ECONNREFUSED: no waiting for nothing.
        let connectStatus = handle.connect(to: address)
        if connectStatus != 0 {
            throw SNTPError.unreachable(server: server, reason: NetSys.errorText(connectStatus).lowercased())
        }

        let sentAt = NetSys.realtime()
        let stamp = NTPTimestamp(unixTime: sentAt)
        if let code = handle.send(SNTPPacket.request(transmit: stamp), to: nil) {
            throw SNTPError.unreachable(server: server, reason: NetSys.errorText(code).lowercased())
        }
        let deadline = NetSys.monotonic() + timeout
        while true {
            if let signal = interruption?.signal { throw InterruptedError(signal: signal) }
            let remaining = deadline - NetSys.monotonic()
            if remaining <= 0 { throw SNTPError.timeout(server: server, seconds: timeout) }
            var descriptor = pollfd(fd: handle.fd, events: Int16(POLLIN), revents: 0)
            // In slices, so that SIGINT/SIGTERM ends a long wait at once.
            let slice = interruption == nil ? remaining : min(remaining, 0.05)
            let ready = poll(&descriptor, 1, Int32(min((slice * 1000).rounded(.up), 60_000)))
            if ready <= 0 { continue }
            switch handle.receive() {
            case .empty:
                continue
            case .failed(let code):
                throw SNTPError.unreachable(server: server, reason: NetSys.errorText(code).lowercased())
            case .datagram(let datagram):
                guard let packet = SNTPPacket(bytes: datagram.bytes) else { continue }
                // A reply that does not echo our transmit timestamp is stale or forged: ignore it.
                guard packet.originate == stamp else { continue }
                let receivedAt = datagram.kernelTime ?? NetSys.realtime()
                return try sample(from: packet, server: server, sentAt: sentAt, receivedAt: receivedAt)
            }
        }
    }
}
