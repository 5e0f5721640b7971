@testable import NightShiftBase

/// The SNTP reply decoder: any datagram decodes or is refused, never traps; a sample has
/// finite numbers and a non-negative delay.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSNTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    guard let packet = SNTPPacket(bytes: input.bytes) else { return 0 }
    _ = packet.referenceText
    input.index = 48
    let sent = Double(Int32(truncatingIfNeeded: Int64(bitPattern: input.uint64()))) + 1_700_000_000
    let received = sent + Double(input.byte()) / 16
    if let sample = try? SNTPClient.sample(from: packet, server: "fuzz", sentAt: sent, receivedAt: received) {
        precondition(sample.offset.isFinite && sample.delay.isFinite && sample.delay >= 0 && sample.time.isFinite)
        precondition((1...15).contains(sample.stratum))
    }
    return 0
}
