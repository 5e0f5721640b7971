@testable import NightShiftBase
import Foundation

/// TimeWindow parsing: never traps; the canonical text parses back to the same window,
/// and the schedule queries work on any window.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWindow(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    guard let window = try? TimeWindow(parsing: input.text) else { return 0 }
    precondition((0..<86_400).contains(window.startSecond) && (0..<86_400).contains(window.endSecond))
    guard let again = try? TimeWindow(parsing: window.description), again == window else {
        preconditionFailure("canonical text \(window.description) does not parse back")
    }
    let now = Date(timeIntervalSince1970: 1_795_709_711)
    let next = window.nextStart(after: now, in: TimeZone(identifier: "Europe/Berlin")!)
    precondition(next > now)
    _ = window.contains(now)
    return 0
}
