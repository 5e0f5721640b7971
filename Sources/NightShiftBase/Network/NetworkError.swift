import Foundation

/// Errors from the network primitives, worded for an administrator reading a log or an error message.
public enum NetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither an unprivileged (datagram) nor a raw ICMP socket could be opened.
    case icmpSocketUnavailable(family: String, detail: String)
    /// The `via` source address is not a numeric address of this machine.
    case invalidSourceAddress(String, reason: String)
    /// A MAC address could not be parsed.
    case invalidMAC(String)
    /// A SecureOn password could not be parsed or has the wrong length.
    case invalidPassword(String)
    /// An option value is out of range.
    case invalidOption(String)
    /// A socket call failed where no per-target result can carry the failure.
    case socketFailure(operation: String, errno: Int32)

    /// The text an administrator sees (log line, error message).
    public var description: String {
        switch self {
        case let .icmpSocketUnavailable(family, detail):
            return "cannot open an \(family) ICMP socket: \(detail)"
        case let .invalidSourceAddress(address, reason):
            return "invalid source address \"\(address)\" (\(reason))"
        case let .invalidMAC(text):
            return "invalid MAC address \"\(text)\" (write it \(MACAddress.forms))"
        case let .invalidPassword(reason):
            return "invalid SecureOn password (\(reason))"
        case let .invalidOption(text):
            return text
        case let .socketFailure(operation, code):
            return "\(operation): \(NetSys.errorText(code))"
        }
    }
}

extension NetworkError: LocalizedError {
    /// The same text as `description`, so `localizedDescription` is readable too.
    public var errorDescription: String? { description }
}
