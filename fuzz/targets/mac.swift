@testable import NightShiftBase

/// MACAddress parsing and SecureOn passwords: never trap; the canonical text parses back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMAC(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzInput(data, size).text
    if let mac = try? MACAddress(parsing: text) {
        precondition(mac.bytes.count == 6)
        guard let again = try? MACAddress(parsing: mac.description), again == mac else {
            preconditionFailure("canonical text \(mac.description) does not parse back")
        }
    }
    if let password = try? WakeOnLAN.parsePassword(text) {
        precondition(password.count == 4 || password.count == 6, "password of \(password.count) bytes")
    }
    return 0
}
