@testable import NightShiftBase

/// The ARP reply decoder and the rtnetlink route answer parser (lengths come from the
/// message itself): any bytes decode or are refused, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzARP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput(data, size).bytes
    _ = ARPMessage.replySender(bytes)
    // The sequence the parser looks for: the message's own (so the attribute walk is reached) and another.
    let own = bytes.count >= 12 ? bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) } : 0
    for sequence in [own, 1] {
        if let answer = RouteLookup.parse(bytes, sequence: sequence) { _ = "\(answer)" }
    }
    return 0
}
