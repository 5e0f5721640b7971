@testable import NightShiftBase

/// ArgvTemplate: never traps; substitution keeps one element per template element, and a
/// value never adds or loses an element (invariant 6).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArgv(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    var template: [String] = []
    for _ in 0..<(Int(input.byte()) % 4 + 1) { template.append(input.string()) }
    var values: [String: String] = [:]
    for _ in 0..<(Int(input.byte()) % 4) { values[input.string(max: 8)] = input.string() }
    values["ip"] = input.string()
    _ = try? ArgvTemplate.placeholders(in: template)
    _ = try? ArgvTemplate.validate(template, known: Set(values.keys))
    if let argv = try? ArgvTemplate.substitute(template, values: values) {
        precondition(argv.count == template.count, "substitution changed the number of arguments")
    }
    return 0
}
