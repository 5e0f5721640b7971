import Glibc

/// An SNTP client (RFC 4330 / RFC 5905) over UDP: one query, one measured offset.
/// Hand-written: SNTP is one 48-byte exchange, and no Swift library offers an NTP client.
public enum SNTPClient {
    /// The NTP port, the default of `ns.time.query` and `nightshift time`.
    public static let defaultPort: UInt16 = 123
    /// Seconds to wait for the answer when no timeout is given (`ns.time.query`, `nightshift time`).
    public static let defaultTimeout: Double = 5

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
                if code == EINTR { continue }
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

    /// Validates a reply and computes offset and delay from the four timestamps:
    /// T1 sent, T2 server received, T3 server sent, T4 received;
    /// offset = ((T2 - T1) + (T3 - T4)) / 2, delay = (T4 - T1) - (T3 - T2).
    static func sample(from packet: SNTPPacket, server: String, sentAt: Double, receivedAt: Double) throws -> SNTPSample {
        guard packet.mode == 4 else {
            throw SNTPError.invalidReply(server: server, reason: "mode \(packet.mode), expected 4 (server)")
        }
        guard (1...4).contains(packet.version) else {
            throw SNTPError.invalidReply(server: server, reason: "unsupported version \(packet.version)")
        }
        if packet.stratum == 0 {
            throw SNTPError.kissOfDeath(server: server, code: packet.referenceText.isEmpty ? "?" : packet.referenceText)
        }
        if packet.leap == 3 { throw SNTPError.unsynchronized(server: server) }
        guard packet.stratum < 16 else {
            throw SNTPError.invalidReply(server: server, reason: "stratum \(packet.stratum) (unsynchronised)")
        }
        guard !packet.receive.isZero, !packet.transmit.isZero else {
            throw SNTPError.invalidReply(server: server, reason: "zero receive or transmit timestamp")
        }
        let t2 = packet.receive.unixTime(near: sentAt)
        let t3 = packet.transmit.unixTime(near: sentAt)
        // Invariant 13: an answer before this build's date is an unset clock, never a time.
        if let problem = ClockPlausibility.answerProblem(t3)
            ?? ClockPlausibility.eraWrapProblem(seconds: packet.transmit.seconds, readAs: t3, localTime: sentAt) {
            throw SNTPError.implausible(server: server, reason: problem)
        }
        let offset = ((t2 - sentAt) + (t3 - receivedAt)) / 2
        let delay = max(0, (receivedAt - sentAt) - (t3 - t2))
        return SNTPSample(offset: offset, delay: delay, stratum: Int(packet.stratum),
                          time: receivedAt + offset, leap: Int(packet.leap), referenceID: packet.referenceText)
    }
}
