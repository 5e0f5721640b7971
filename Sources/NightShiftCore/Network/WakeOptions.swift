/// How `WakeOnLAN.send` sends magic packets: destination, source, password, repeats.
public struct WakeOptions: Sendable, Equatable {
    /// Destination IPv4 address: the limited broadcast or a subnet's directed broadcast.
    public var broadcast: String
    /// UDP port; 9 (discard) by default, 7 (echo) for some adapters.
    public var port: UInt16
    /// Source IPv4 address to bind: picks the NIC facing the sleeping host.
    public var via: String?
    /// Network device to send through (SO_BINDTODEVICE).
    public var interface: String?
    /// SecureOn password, 4 or 6 bytes, appended to every packet. Never logged.
    public var password: [UInt8]?
    /// How many times each MAC's packet is sent.
    public var repeatCount: Int

    /// Options with the documented defaults (255.255.255.255, port 9, three packets per MAC).
    public init(
        broadcast: String = "255.255.255.255", port: UInt16 = 9, via: String? = nil,
        interface: String? = nil, password: [UInt8]? = nil, repeatCount: Int = 3
    ) {
        self.broadcast = broadcast
        self.port = port
        self.via = via
        self.interface = interface
        self.password = password
        self.repeatCount = repeatCount
    }

    /// These options after the checks every primitive shares (`OptionCheck`): throws an
    /// `OptionError` naming the field (`broadcast`, `port`, `via`, `interface`, `repeat`).
    public func validated() throws(OptionError) -> WakeOptions {
        _ = try OptionCheck.port(Int64(port), field: "port")
        _ = try OptionCheck.count(Int64(repeatCount), field: "repeat", in: OptionCheck.wakeRepeats)
        _ = try OptionCheck.noNUL(broadcast, field: "broadcast")
        guard let destination = SocketAddress(numeric: broadcast), !destination.isIPv6 else {
            throw OptionError(field: "broadcast", requirement: "must be a numeric IPv4 address, not \"\(broadcast)\"")
        }
        if let via {
            _ = try OptionCheck.noNUL(via, field: "via")
            guard let source = SocketAddress(numeric: via), !source.isIPv6 else {
                throw OptionError(field: "via", requirement: "must be a numeric IPv4 address, not \"\(via)\"")
            }
        }
        if let interface {
            _ = try OptionCheck.noNUL(interface, field: "interface")
            // IFNAMSIZ is 16 with the NUL: a longer name cannot be a device.
            guard !interface.isEmpty, interface.utf8.count < 16 else {
                throw OptionError(field: "interface", requirement: "must be a network device name (1-15 bytes)")
            }
        }
        return self
    }
}
