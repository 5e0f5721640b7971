@testable import NightShiftBase

/// DurationText.parse / validate / format / countdown: never trap, results in range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDuration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    if let seconds = try? DurationText.parse(input.text) {
        precondition(seconds >= 0 && seconds <= DurationText.maximum, "parsed duration out of range: \(seconds)")
        _ = DurationText.format(seconds)
        _ = DurationText.countdown(seconds)
    }
    let number = input.double()
    if let seconds = try? DurationText.validate(seconds: number) {
        precondition(seconds >= 0 && seconds <= DurationText.maximum, "validated duration out of range: \(seconds)")
    }
    _ = DurationText.format(number)
    _ = DurationText.countdown(number)
    return 0
}
