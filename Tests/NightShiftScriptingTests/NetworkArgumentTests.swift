import LuaBinding
import NightShiftScripting
import XCTest

/// Odd options of the network and time primitives raise argument errors naming the field
/// (never a spin, a hang or a silent "down"); no packet is sent by any of these calls.
final class NetworkArgumentTests: XCTestCase {
    private var fixture: ScriptFixture!
    private var runtime: ScriptRuntime!

    override func setUpWithError() throws {
        fixture = try ScriptFixture()
        runtime = try fixture.runtime()
    }

    /// The error `call` raises, or "no error".
    private func raised(_ call: String) throws -> String {
        let r = try runtime.lua.execute("local ok, e = pcall(function() \(call) end) return ok and 'no error' or tostring(e)")
        return r.first?.stringValue ?? "?"
    }

    private func assertRaises(_ call: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let message = try raised(call)
        XCTAssertTrue(message.contains(expected), "\(call) raised: \(message) expected: \(expected)", file: file, line: line)
    }

    func testDurationsMustBePositiveFiniteAndBelowTenYears() throws {
        let bad: [(String, String)] = [("0", "must be more than 0"), ("-1", "must be more than 0"),
                                       ("0/0", "must be a number of seconds, not NaN"),
                                       ("math.huge", "must be at most 315576000 seconds (10 years)"),
                                       ("-math.huge", "must be more than 0"), ("4e8", "must be at most 315576000 seconds (10 years)")]
        for (value, text) in bad {
            try assertRaises("ns.ping('127.0.0.1', {timeout = \(value)})", "bad argument #2 to 'ping' (field 'timeout' \(text)")
            try assertRaises("ns.is_up('127.0.0.1', {timeout = \(value)})", "bad argument #2 to 'is_up' (field 'timeout' \(text)")
            for field in ["timeout", "interval", "probe_timeout"] {
                try assertRaises("ns.wait_up('127.0.0.1', {\(field) = \(value)})", "bad argument #2 to 'wait_up' (field '\(field)' \(text)")
            }
            try assertRaises("ns.time.query('127.0.0.1', {timeout = \(value)})", "bad argument #2 to 'query' (field 'timeout' \(text)")
        }
        try assertRaises("ns.wait_up('127.0.0.1', {interval = 0})", "bad argument #2 to 'wait_up' (field 'interval' must be more than 0 seconds)")
    }

    func testCountsAndPortsUseOneSharedRange() throws {
        try assertRaises("ns.ping('127.0.0.1', {retries = -1})", "(field 'retries' must be between 0 and 100)")
        try assertRaises("ns.ping('127.0.0.1', {retries = 1000})", "(field 'retries' must be between 0 and 100)")
        for port in ["0", "-1", "65536", "1e9"] {
            try assertRaises("ns.ping('127.0.0.1', {tcp = \(port)})", "bad argument #2 to 'ping' (field 'tcp' must be a port number (1-65535))")
            try assertRaises("ns.wake('AA:BB:CC:DD:EE:FF', {port = \(port)})", "bad argument #2 to 'wake' (field 'port' must be a port number (1-65535))")
            try assertRaises("ns.time.query('127.0.0.1', {port = \(port)})", "bad argument #2 to 'query' (field 'port' must be a port number (1-65535))")
            try assertRaises("ns.ping({{'127.0.0.1', tcp = \(port)}})", "bad argument #1 to 'ping' (target 1: tcp must be a port number (1-65535))")
        }
        for count in ["0", "-3", "101", "1e6"] {
            try assertRaises("ns.wake('AA:BB:CC:DD:EE:FF', {['repeat'] = \(count)})", "bad argument #2 to 'wake' (field 'repeat' must be between 1 and 100)")
        }
        try assertRaises("ns.ping('127.0.0.1', {via = 'eth0'})", "(field 'via' must be a numeric IPv4 or IPv6 address, not \"eth0\")")
        try assertRaises("ns.wake('AA:BB:CC:DD:EE:FF', {broadcast = 'everyone'})", "(field 'broadcast' must be a numeric IPv4 address")
    }

    func testNULBytesNeverReachASystemCall() throws {
        try assertRaises("ns.ping('127.0.0.1\\0evil')", "bad argument #1 to 'ping' (target must not contain a NUL byte)")
        try assertRaises("ns.ping({'127.0.0.1', '10.0.0.1\\0x'})", "bad argument #1 to 'ping' (target 2 must not contain a NUL byte)")
        try assertRaises("ns.is_up('localhost\\0.example')", "bad argument #1 to 'is_up' (target must not contain a NUL byte)")
        try assertRaises("ns.wait_up('127.0.0.1\\0', {timeout = 1})", "bad argument #1 to 'wait_up' (target must not contain a NUL byte)")
        try assertRaises("ns.ping('127.0.0.1', {via = '127.0.0.1\\0x'})", "bad argument #2 to 'ping' (field 'via' must not contain a NUL byte)")
        try assertRaises("ns.ping({{'127.0.0.1', via = '127.0.0.1\\0x'}})", "bad argument #1 to 'ping' (target 1: via must not contain a NUL byte)")
        try assertRaises("ns.wake('AA:BB:CC:DD:EE:FF', {broadcast = '127.0.0.1\\0x'})", "(field 'broadcast' must not contain a NUL byte)")
        try assertRaises("ns.wake('AA:BB:CC:DD:EE:FF', {via = '127.0.0.1\\0x'})", "(field 'via' must not contain a NUL byte)")
        try assertRaises("ns.wake('AA:BB:CC:DD:EE:FF', {interface = 'lo\\0x'})", "(field 'interface' must not contain a NUL byte)")
        try assertRaises("ns.time.query('127.0.0.1\\0x')", "bad argument #1 to 'query' (server must not contain a NUL byte)")
    }

    func testGoodOptionsStillPass() throws {
        // Argument checks only: a dry run sends no magic packet.
        let dry = try fixture.runtime(.init(dryRun: true))
        let r = try dry.lua.execute("return ns.wake('AA:BB:CC:DD:EE:FF', {port = 65535, ['repeat'] = 100, broadcast = '127.0.0.1', interface = 'lo'})")
        XCTAssertEqual(r, [100])
    }
}
