import Foundation

/// A Lua value copied into Swift: scalars and tables by value, functions by reference.
public enum LuaValue {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    /// A string that is valid UTF-8.
    case string(String)
    /// A string that is not valid UTF-8 (Lua strings are byte strings).
    case bytes([UInt8])
    case table(LuaTable)
    /// A function living in the Lua state (written in Lua or Swift).
    case function(LuaRef)
    /// Any other Lua value (userdata, thread), kept by identity.
    case reference(LuaRef)

    /// A string value from raw bytes: `.string` when valid UTF-8, else `.bytes`.
    public static func fromBytes(_ bytes: [UInt8]) -> LuaValue {
        if let s = String(validating: bytes, as: UTF8.self) { return .string(s) }
        return .bytes(bytes)
    }

    /// The name Lua's `type()` gives this value.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string, .bytes: "string"
        case .table: "table"
        case .function: "function"
        case .reference(let ref): ref.typeName
        }
    }

    /// True unless the value is `nil` or `false` (Lua's truthiness).
    public var isTruthy: Bool {
        switch self {
        case .nil, .boolean(false): false
        default: true
        }
    }

    /// True for `nil`.
    public var isNil: Bool { if case .nil = self { true } else { false } }

    /// The string, decoding bytes leniently; numbers convert as Lua would.
    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .integer(let i): String(i)
        case .number(let d): LuaValue.format(d)
        default: nil
        }
    }

    /// The raw bytes of a string value.
    public var bytesValue: [UInt8]? {
        switch self {
        case .string(let s): Array(s.utf8)
        case .bytes(let b): b
        default: nil
        }
    }

    /// The number as a Double (integers widen).
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    /// The number as an integer when it has an exact integer representation.
    public var integerValue: Int64? {
        switch self {
        case .integer(let i): i
        // Exact or nothing: NaN, infinities, fractions and floats past Int64 never trap.
        case .number(let d): Int64(exactly: d)
        default: nil
        }
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? { if case .boolean(let b) = self { b } else { nil } }

    /// The table, if this is one.
    public var tableValue: LuaTable? { if case .table(let t) = self { t } else { nil } }

    /// Formats a float the way Lua's `%.14g` does, keeping a `.0` on integral values.
    static func format(_ d: Double) -> String {
        if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = String(format: "%.14g", d)
        if !s.contains(where: { ".eEn".contains($0) }) { s += ".0" }
        return s
    }
}

extension LuaValue: Equatable, Hashable {
    public static func == (a: LuaValue, b: LuaValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): true
        case (.boolean(let x), .boolean(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        // Lua compares mixed numbers by value: 1 == 1.0.
        case (.integer(let x), .number(let y)), (.number(let y), .integer(let x)): Double(x) == y
        case (.string(let x), .string(let y)): x == y
        case (.bytes, _), (_, .bytes): a.bytesValue != nil && a.bytesValue == b.bytesValue
        case (.table(let x), .table(let y)): x == y
        case (.function(let x), .function(let y)), (.reference(let x), .reference(let y)): x === y
        default: false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .nil: h.combine(0)
        case .boolean(let b): h.combine(b)
        case .integer(let i): h.combine(Double(i))
        case .number(let d): h.combine(d)
        case .string, .bytes: h.combine(bytesValue)
        case .table(let t): h.combine(t)
        case .function(let r), .reference(let r): h.combine(ObjectIdentifier(r))
        }
    }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral v: Bool) { self = .boolean(v) }
    public init(integerLiteral v: Int64) { self = .integer(v) }
    public init(floatLiteral v: Double) { self = .number(v) }
    public init(stringLiteral v: String) { self = .string(v) }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
    public init(dictionaryLiteral elements: (LuaValue, LuaValue)...) {
        var t = LuaTable()
        for (k, v) in elements { t[k] = v }
        self = .table(t)
    }
}

extension LuaValue: CustomStringConvertible {
    /// A short, Lua-like rendering for logs and test failures.
    public var description: String {
        switch self {
        case .nil: "nil"
        case .boolean(let b): String(b)
        case .integer(let i): String(i)
        case .number(let d): LuaValue.format(d)
        case .string(let s): "\"\(s)\""
        case .bytes(let b): "<\(b.count) bytes>"
        case .table(let t): t.description
        case .function: "function"
        case .reference(let r): r.typeName
        }
    }
}
