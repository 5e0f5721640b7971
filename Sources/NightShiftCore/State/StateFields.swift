import Foundation

/// The raw JSON side of `state.json`: its version, and the fields this build does not know.
///
/// Unknown fields are found without a list of known keys (which would go stale whenever a field
/// is added): a key is unknown when decoding and re-encoding the old file loses it.
enum StateFields {
    /// The top-level `version` as a number, nil when absent or not a number.
    static func version(of bytes: [UInt8]) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let number = object["version"] as? NSNumber, !(object["version"] is Bool) else { return nil }
        return number.doubleValue
    }

    /// True when `bytes` are exactly what this build writes for `decoded`: nothing unknown in them.
    static func isPlain(_ bytes: [UInt8], decoded: NightShiftState) -> Bool {
        guard let reencoded = try? StateStore.encode(decoded) else { return false }
        return isPlain(bytes, reencoded: reencoded)
    }

    private static func isPlain(_ bytes: [UInt8], reencoded: Data) -> Bool {
        bytes.count == reencoded.count + 1 && bytes.last == 0x0A && bytes.dropLast().elementsEqual(reencoded)
    }

    /// `new` (this build's encoding) with the unknown fields of `old` added back, at the top
    /// level and in nested objects (hosts, jobs, ...) that both still have; nil when `old`
    /// has no unknown field (or does not parse), so the common case keeps the encoder's bytes.
    static func carryUnknown(from old: [UInt8], into new: Data) -> [UInt8]? {
        guard let decoded = try? JSONDecoder().decode(NightShiftState.self, from: Data(old)),
              let reencoded = try? StateStore.encode(decoded) else { return nil }
        if isPlain(old, reencoded: reencoded) { return nil }
        guard let raw = try? JSONSerialization.jsonObject(with: Data(old)) as? [String: Any],
              let known = try? JSONSerialization.jsonObject(with: reencoded) as? [String: Any],
              var target = try? JSONSerialization.jsonObject(with: new) as? [String: Any] else { return nil }
        guard merge(raw: raw, known: known, into: &target) else { return nil }
        guard let data = try? JSONSerialization.data(
            withJSONObject: target, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return Array(data)
    }

    /// Copies keys of `raw` that `known` lacks into `target` (where `target` lacks them too),
    /// recursing where all three hold an object; true when anything was copied.
    private static func merge(raw: [String: Any], known: [String: Any], into target: inout [String: Any]) -> Bool {
        var copied = false
        for (key, value) in raw {
            guard let knownValue = known[key] else {
                if target[key] == nil, !(value is NSNull) {
                    target[key] = value
                    copied = true
                }
                continue
            }
            if let rawObject = value as? [String: Any], let knownObject = knownValue as? [String: Any],
               var targetObject = target[key] as? [String: Any],
               merge(raw: rawObject, known: knownObject, into: &targetObject) {
                target[key] = targetObject
                copied = true
            }
        }
        return copied
    }
}
