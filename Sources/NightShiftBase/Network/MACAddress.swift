/// A 48-bit Ethernet address, parsed from `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff`,
/// `aabb.ccdd.eeff` (Cisco) or `aabbccddeeff`, in any case.
public struct MACAddress: Sendable, Hashable, CustomStringConvertible {
    /// The accepted forms, as every MAC error shows them (the one home of that list).
    public static let forms = "aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff"

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

    /// Parses `count` hex bytes written with one consistent separator (":" or "-"), none, or
    /// (for an even count) dots between groups of two bytes as switches print them.
    package static func hexBytes(_ raw: String, count: Int) -> [UInt8]? {
        let text = raw.trimmingASCIISpaces()
        if text.contains(".") { return dottedBytes(text, count: count) }
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

    /// `aabb.ccdd.eeff`: groups of four hex digits between dots, nothing else.
    private static func dottedBytes(_ text: String, count: Int) -> [UInt8]? {
        let groups = text.split(separator: ".", omittingEmptySubsequences: false)
        guard count % 2 == 0, groups.count == count / 2, groups.allSatisfy({ $0.count == 4 }) else { return nil }
        return hexBytes(groups.joined(), count: count)
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
