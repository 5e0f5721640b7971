@testable import NightShiftBase

/// TZif files and POSIX TZ rules: never trap; a file that parses answers every query with an
/// offset in range, transitions that move forward, and local times within a day of their instant.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTZif(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    var zones: [ZoneRules] = []
    if let tzif = try? TZif(bytes: input.bytes) { zones.append(ZoneRules(identifier: "fuzz", tzif: tzif)) }
    if let rule = ZoneRules(posixRule: input.text) { zones.append(rule) }
    for zone in zones {
        for t in [-1 << 40, -1, 0, 1_751_328_000, 2_200_000_000, 1 << 40] {
            let type = zone.type(at: t)
            precondition(TZif.offsetRange.contains(type.utcOffset))
            if let next = zone.nextTransition(after: t) { precondition(next > t) }
            let instant = zone.firstInstant(atLocal: t)
            precondition(abs(instant - t) <= 200_000)
        }
    }
    return 0
}
