/// The arguments of one call from Lua into a Swift function, with checks that fail
/// the way Lua's `luaL_check*` do, but by throwing instead of jumping.
public struct LuaArguments {
    /// The function name used in error messages.
    public let function: String
    /// The argument values, first argument at index 0.
    public let values: [LuaValue]
    /// The state the call came from, for calling back into Lua.
    public let state: LuaState

    /// Creates an argument list (used by the dispatcher and by tests).
    public init(function: String, values: [LuaValue], state: LuaState) {
        self.function = function
        self.values = values
        self.state = state
    }

    /// The number of arguments passed.
    public var count: Int { values.count }

    /// The argument at 1-based `position`, `nil` when absent.
    public subscript(position: Int) -> LuaValue {
        position >= 1 && position <= values.count ? values[position - 1] : .nil
    }

    /// An argument error for `position`, worded like Lua's.
    public func error(_ position: Int, _ reason: String) -> LuaArgumentError {
        LuaArgumentError(position: position, function: function, reason: reason)
    }

    /// The "X expected, got Y" error for `position`.
    public func typeError(_ position: Int, expected: String) -> LuaArgumentError {
        let got = position > values.count ? "no value" : self[position].typeName
        return error(position, "\(expected) expected, got \(got)")
    }

    /// A string argument (numbers convert, as in Lua).
    public func string(_ position: Int) throws -> String {
        guard let s = self[position].stringValue else { throw typeError(position, expected: "string") }
        return s
    }

    /// An optional string argument.
    public func optionalString(_ position: Int) throws -> String? {
        self[position].isNil ? nil : try string(position)
    }

    /// A number argument.
    public func number(_ position: Int) throws -> Double {
        guard let d = self[position].doubleValue else { throw typeError(position, expected: "number") }
        return d
    }

    /// An optional number argument.
    public func optionalNumber(_ position: Int) throws -> Double? {
        self[position].isNil ? nil : try number(position)
    }

    /// An integer argument (floats with an exact integer value are accepted).
    public func integer(_ position: Int) throws -> Int64 {
        let v = self[position]
        guard v.doubleValue != nil else { throw typeError(position, expected: "number") }
        guard let i = v.integerValue else { throw error(position, "number has no integer representation") }
        return i
    }

    /// A table argument.
    public func table(_ position: Int) throws -> LuaTable {
        guard let t = self[position].tableValue else { throw typeError(position, expected: "table") }
        return t
    }

    /// An optional table argument (`nil` or absent gives an empty table).
    public func optionalTable(_ position: Int) throws -> LuaTable {
        self[position].isNil ? LuaTable() : try table(position)
    }

    /// A function argument.
    public func function(_ position: Int) throws -> LuaRef {
        guard case .function(let f) = self[position] else { throw typeError(position, expected: "function") }
        return f
    }

    /// A string or an array of strings (as `ns.ping` and `ns.wake` take their targets).
    public func stringList(_ position: Int) throws -> [String] {
        switch self[position] {
        case .string, .bytes, .integer, .number: return [try string(position)]
        case .table(let t):
            guard t.isSequence else { throw error(position, "array of strings expected, got table with other keys") }
            return try t.array.enumerated().map { i, v in
                guard let s = v.stringValue else {
                    throw error(position, "string expected at index \(i + 1), got \(v.typeName)")
                }
                return s
            }
        default: throw typeError(position, expected: "string or array")
        }
    }

    /// The option table at `position`, checked against the allowed keys.
    public func options(_ position: Int, allowed: Set<String>) throws -> LuaOptions {
        let t = try optionalTable(position)
        for key in t.entries.keys {
            guard let name = key.stringValue, case .string = key else {
                throw error(position, "option names must be strings, got \(key.typeName)")
            }
            if !allowed.contains(name) {
                var reason = "unknown option '\(name)'"
                if let near = Suggestion.closest(to: name, in: allowed) { reason += "; did you mean '\(near)'?" }
                throw error(position, reason)
            }
        }
        return LuaOptions(table: t, position: position, arguments: self)
    }
}

/// Typed access to an option table, with errors naming the field.
public struct LuaOptions {
    /// The raw option table.
    public let table: LuaTable
    let position: Int
    let arguments: LuaArguments

    private func fieldError(_ key: String, _ expected: String) -> LuaArgumentError {
        arguments.error(position, "field '\(key)' must be \(expected), got \(table[key].typeName)")
    }

    /// True when the option is present.
    public func has(_ key: String) -> Bool { !table[key].isNil }

    /// A string option.
    public func string(_ key: String) throws -> String? {
        let v = table[key]
        if v.isNil { return nil }
        guard case .string(let s) = v else {
            if case .bytes = v { return v.stringValue }
            throw fieldError(key, "a string")
        }
        return s
    }

    /// A number option.
    public func number(_ key: String) throws -> Double? {
        let v = table[key]
        if v.isNil { return nil }
        guard let d = v.doubleValue else { throw fieldError(key, "a number") }
        return d
    }

    /// A non-negative number option (durations, timeouts), at most `maximum`: the caller's
    /// range (the binding knows no durations; seconds past ~9.2e18 trap as integers).
    public func nonNegative(_ key: String, maximum: Double) throws -> Double? {
        guard let d = try number(key) else { return nil }
        guard d >= 0, d.isFinite else { throw arguments.error(position, "field '\(key)' must be >= 0, got \(LuaValue.number(d))") }
        guard d <= maximum else {
            throw arguments.error(position, "field '\(key)' must be at most \(LuaValue.number(maximum)), got \(LuaValue.number(d))")
        }
        return d
    }

    /// An integer option.
    public func integer(_ key: String) throws -> Int64? {
        let v = table[key]
        if v.isNil { return nil }
        guard let i = v.integerValue else { throw fieldError(key, "an integer") }
        return i
    }

    /// An integer option within `range` (counts, ports): the error names the range.
    public func integer(_ key: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let i = try integer(key) else { return nil }
        guard range.contains(i) else {
            throw arguments.error(position, "field '\(key)' must be \(range.lowerBound)-\(range.upperBound), got \(i)")
        }
        return i
    }

    /// A boolean option.
    public func bool(_ key: String) throws -> Bool? {
        let v = table[key]
        if v.isNil { return nil }
        guard let b = v.boolValue else { throw fieldError(key, "a boolean") }
        return b
    }

    /// A table option.
    public func table(_ key: String) throws -> LuaTable? {
        let v = table[key]
        if v.isNil { return nil }
        guard let t = v.tableValue else { throw fieldError(key, "a table") }
        return t
    }

    /// A string-keyed table of strings (environment variables).
    public func stringMap(_ key: String) throws -> [String: String]? {
        guard let t = try table(key) else { return nil }
        var out: [String: String] = [:]
        for (k, v) in t.entries {
            guard case .string(let name) = k, let value = v.stringValue else {
                throw arguments.error(position, "field '\(key)' must map strings to strings")
            }
            out[name] = value
        }
        return out
    }

    /// An array of integers (exit codes).
    public func integers(_ key: String) throws -> [Int64]? {
        guard let t = try table(key) else { return nil }
        return try t.array.map { v in
            guard let i = v.integerValue else { throw fieldError(key, "an array of integers") }
            return i
        }
    }
}
