@testable import NightShiftBase

/// The NetBIOS node status decoder (name count, name lengths and the record length come from
/// the message itself): any datagram decodes or is refused, never traps. The transaction ID
/// asked for is the message's own, so the whole decoder is reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNBNS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput(data, size).bytes
    guard let id = NBNSMessage.transactionID(bytes) else { return 0 }
    if let status = NBNSMessage.nodeStatus(bytes, transactionID: id) {
        _ = status.machineName
        precondition(status.unitID.isEmpty || status.unitID.count == 6)
    }
    _ = NBNSMessage.nodeStatus(bytes, transactionID: id &+ 1)
    return 0
}
