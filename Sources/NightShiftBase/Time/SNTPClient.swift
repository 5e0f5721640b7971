/// An SNTP client (RFC 4330 / RFC 5905) over UDP: one query, one measured offset.
/// Hand-written: SNTP is one 48-byte exchange, and no Swift library offers an NTP client.
/// Validating an answer is here; the UDP exchange is Core's (`SNTPClient+Query`).
public enum SNTPClient {
    /// The NTP port, the default of `ns.time.query` and `nightshift time`.
    public static let defaultPort: UInt16 = 123
    /// Seconds to wait for the answer when no timeout is given (`ns.time.query`, `nightshift time`).
    public static let defaultTimeout: Double = 5

    /// Validates a reply and computes offset and delay from the four timestamps:
    /// T1 sent, T2 server received, T3 server sent, T4 received;
    /// offset = ((T2 - T1) + (T3 - T4)) / 2, delay = (T4 - T1) - (T3 - T2).
    package static func sample(from packet: SNTPPacket, server: String, sentAt: Double, receivedAt: Double) throws -> SNTPSample {
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
