@testable import NightShiftBase

/// The ICMP reply decoders (v4 with and without IP header, v6, error-queue entries):
/// any bytes decode or are refused, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzICMP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput(data, size).bytes
    for ipv6 in [false, true] {
        for header in [false, true] {
            if let parsed = ICMPMessage.parse(bytes, ipv6: ipv6, includesIPHeader: header) { _ = "\(parsed)" }
        }
        _ = ICMPMessage.parseOwnRequest(bytes, ipv6: ipv6)
        if bytes.count >= 2 { _ = ICMPMessage.describe(type: bytes[0], code: bytes[1], ipv6: ipv6) }
    }
    _ = ICMPMessage.checksum(bytes)
    return 0
}
