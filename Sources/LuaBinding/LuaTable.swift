/// A Lua table copied into Swift. Keys and values are `LuaValue`s; `nil` values are absent.
public struct LuaTable: Hashable, CustomStringConvertible {
    /// Every key/value pair of the table.
    public private(set) var entries: [LuaValue: LuaValue] = [:]

    /// An empty table.
    public init() {}

    /// A sequence: `array[0]` becomes key 1.
    public init(array: [LuaValue]) {
        for (i, v) in array.enumerated() { self[.integer(Int64(i + 1))] = v }
    }

    /// A record with string keys.
    public init(_ fields: [String: LuaValue]) {
        for (k, v) in fields { self[.string(k)] = v }
    }

    /// The value at `key`, `nil` when absent; assigning `nil` removes the key.
    public subscript(key: LuaValue) -> LuaValue {
        get { entries[key] ?? .nil }
        set {
            // Lua never stores nil values; NaN and nil are not valid keys.
            if case .nil = key { return }
            if case .number(let d) = key, d.isNaN { return }
            if case .nil = newValue { entries[key] = nil } else { entries[normalized(key)] = newValue }
        }
    }

    /// The value at a string key.
    public subscript(key: String) -> LuaValue {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    /// The border `n` of the sequence part: keys 1...n all present (like `#t` for sequences).
    public var count: Int {
        var n = 0
        while entries[.integer(Int64(n + 1))] != nil { n += 1 }
        return n
    }

    /// The values at keys 1...`count`.
    public var array: [LuaValue] { (0..<count).map { self[.integer(Int64($0 + 1))] } }

    /// True when the table has only the keys 1...n (an empty table counts).
    public var isSequence: Bool { count == entries.count }

    /// Lua stores float keys with an integer value as integers (t[1.0] is t[1]).
    private func normalized(_ key: LuaValue) -> LuaValue {
        if case .number(let d) = key, let i = key.integerValue, Double(i) == d { return .integer(i) }
        return key
    }

    public var description: String {
        if isSequence && !entries.isEmpty { return "{" + array.map(\.description).joined(separator: ", ") + "}" }
        let parts = entries.map { (k, v) -> String in
            if case .string(let s) = k { return "\(s)=\(v)" }
            return "[\(k)]=\(v)"
        }.sorted()
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
