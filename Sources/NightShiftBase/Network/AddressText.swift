import Glibc

/// Validates the addresses an inventory names, before anything is sent to them.
public enum AddressText {
    /// True for a numeric IPv4 or IPv6 address.
    public static func isNumericIP(_ text: String) -> Bool {
        // C would read "127.0.0.1\0junk" as "127.0.0.1": a NUL is never part of an address.
        guard !text.utf8.contains(0) else { return false }
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// True for a numeric IPv4 address.
    public static func isIPv4(_ text: String) -> Bool {
        guard !text.utf8.contains(0) else { return false }
        var v4 = in_addr()
        return inet_pton(AF_INET, text, &v4) == 1
    }

    /// Checks an IP address; the error names the text.
    public static func validateIP(_ text: String) throws -> String {
        guard isNumericIP(text) else { throw AddressError("invalid IP address \"\(text)\"") }
        return text
    }

    /// Checks an IP address or a DNS host name (RFC 1123 labels); dotted numbers must be a valid IPv4.
    public static func validateAddress(_ text: String) throws -> String {
        if isNumericIP(text) { return text }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let allNumeric = labels.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        if allNumeric || text.contains(":") { throw AddressError("invalid IP address \"\(text)\"") }
        let valid = !text.isEmpty && text.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        guard valid else { throw AddressError("invalid host name or address \"\(text)\"") }
        return text
    }
}

/// An address that does not parse, with the message a script author sees.
public struct AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message, quoting the text.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
