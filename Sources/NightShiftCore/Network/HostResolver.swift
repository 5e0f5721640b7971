import Glibc

/// Turns host names into addresses, once per sweep, with the system resolver (NSS: /etc/hosts, DNS).
enum HostResolver {
    /// The first address for `host`, or a readable reason why there is none.
    static func resolve(_ host: String, port: UInt16 = 0) -> Result<SocketAddress, ResolutionFailure> {
        if let literal = SocketAddress(numeric: host, port: port) { return .success(literal) }
        if host.isEmpty { return .failure(ResolutionFailure(message: "empty host name")) }
        // getaddrinfo would stop at the NUL and resolve only the part before it.
        if host.utf8.contains(0) { return .failure(ResolutionFailure(message: "host name contains a NUL byte")) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == EAI_SYSTEM ? NetSys.errorText(errno) : String(cString: gai_strerror(status))
            return .failure(ResolutionFailure(message: "cannot resolve \"\(host)\": \(reason)",
                                              temporary: status == EAI_AGAIN || status == EAI_SYSTEM))
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let pointer = current.pointee.ai_addr,
               let address = SocketAddress(raw: pointer, length: Int(current.pointee.ai_addrlen)) {
                return .success(address.with(port: port))
            }
            entry = current.pointee.ai_next
        }
        return .failure(ResolutionFailure(message: "cannot resolve \"\(host)\": no IPv4 or IPv6 address"))
    }
}

/// Why a host name did not resolve; becomes a target's `error`, never an exception.
struct ResolutionFailure: Error {
    let message: String
    /// The resolver could not be asked (EAI_AGAIN, a system error): not an answer about the host.
    var temporary = false
}
