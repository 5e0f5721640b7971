/// A 48-bit Ethernet address, parsed from `AA:BB:CC:DD:EE:FF`, `AA-BB-CC-DD-EE-FF` or `AABBCCDDEEFF`.
public struct MACAddress: Sendable, Hashable, CustomStringConvertible {
    /// The six address bytes.
    public let bytes: [UInt8]

    /// Parses the text; throws `NetworkError.invalidMAC` naming the text when it is not a MAC address.
    public init(parsing text: String) throws {
        guard let bytes = MACAddress.hexBytes(text, count: 6) else { throw NetworkError.invalidMAC(text) }
        self.bytes = bytes
    }

    /// The canonical `aa:bb:cc:dd:ee:ff` form.
    public var description: String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    /// Parses `count` hex bytes written with one consistent separator (":" or "-") or none.
    static func hexBytes(_ raw: String, count: Int) -> [UInt8]? {
        let text = raw.trimmingASCIISpaces()
        let separators: Set<Character> = [":", "-"]
        let used = Set(text.filter { separators.contains($0) })
        var groups: [Substring]
        switch used.count {
        case 0:
            guard text.count == count * 2 else { return nil }
            groups = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                groups.append(text[index..<next])
                index = next
            }
        case 1:
            groups = text.split(separator: used.first!, omittingEmptySubsequences: false)
            guard groups.count == count, groups.allSatisfy({ $0.count == 2 }) else { return nil }
        default:
            return nil
        }
        var bytes: [UInt8] = []
        for group in groups {
            guard group.allSatisfy(\.isHexDigit), let value = UInt8(group, radix: 16) else { return nil }
            bytes.append(value)
        }
        return bytes
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
