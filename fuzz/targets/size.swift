@testable import NightShiftBase

/// SizeText.parse / validate: never trap, results in 1 MiB ... 64 GiB.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSize(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    if let bytes = try? SizeText.parse(input.text) {
        precondition(SizeText.range.contains(bytes), "parsed size out of range: \(bytes)")
        _ = SizeText.describe(bytes)
    }
    if let bytes = try? SizeText.validate(bytes: input.double()) {
        precondition(SizeText.range.contains(bytes), "validated size out of range: \(bytes)")
    }
    return 0
}
