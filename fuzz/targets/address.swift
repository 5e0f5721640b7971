@testable import NightShiftBase

/// AddressText: never traps; an accepted address is accepted again and holds no NUL
/// (which C would silently cut off).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAddress(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzInput(data, size).text
    if let ip = try? AddressText.validateIP(text) {
        precondition(!ip.utf8.contains(0), "IP with a NUL accepted")
        precondition(AddressText.isNumericIP(ip))
    }
    if let address = try? AddressText.validateAddress(text) {
        precondition(!address.utf8.contains(0), "address with a NUL accepted")
        precondition((try? AddressText.validateAddress(address)) == address)
    }
    _ = AddressText.isIPv4(text)
    return 0
}
