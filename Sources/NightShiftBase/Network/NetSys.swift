import Glibc

/// Small system helpers shared by the network and time code; the pure ones are here, the
/// clocks and /proc reads are Core's (`NetSys+Clock`).
package enum NetSys {
    /// The C library's text for an errno value.
    package static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The NUL-terminated text in a C buffer.
    package static func string(fromCBuffer buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
