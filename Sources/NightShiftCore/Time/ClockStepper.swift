import Glibc

/// Something that moves the local clock; tests inject one so the real clock is never touched.
public protocol ClockStepper: Sendable {
    /// Steps the clock by `seconds` (positive: forward).
    func step(by seconds: Double) throws
}

/// Steps CLOCK_REALTIME for real; needs CAP_SYS_TIME.
///
/// Uses clock_settime(now + offset): clock_adjtime with ADJ_SETOFFSET would be atomic, but
/// neither it nor `struct timex` is exported by Swift's Glibc module, and the read-then-set
/// gap is a microsecond, far below what SNTP over a LAN can measure.
public struct SystemClockStepper: ClockStepper {
    /// The real system clock.
    public init() {}

    /// Steps CLOCK_REALTIME; throws `ClockError.missingCapability` without CAP_SYS_TIME.
    public func step(by seconds: Double) throws {
        guard seconds.isFinite, abs(seconds) < 100 * 365.25 * 86_400 else { throw ClockError.invalidOffset(seconds) }
        // Ask first: a clear refusal beats a half-done attempt, and EPERM below stays a fallback.
        if let capable = SystemClockStepper.hasClockCapability(), !capable { throw ClockError.missingCapability }
        var now = timespec()
        guard clock_gettime(CLOCK_REALTIME, &now) == 0 else {
            throw ClockError.systemCallFailed(operation: "clock_gettime", reason: NetSys.errorText(errno))
        }
        let whole = seconds.rounded(.down)
        var target = timespec(tv_sec: now.tv_sec + Int(whole),
                              tv_nsec: now.tv_nsec + Int(((seconds - whole) * 1e9).rounded()))
        if target.tv_nsec >= 1_000_000_000 {
            target.tv_sec += 1
            target.tv_nsec -= 1_000_000_000
        }
        guard clock_settime(CLOCK_REALTIME, &target) == 0 else {
            let code = errno
            if code == EPERM { throw ClockError.missingCapability }
            throw ClockError.systemCallFailed(operation: "clock_settime", reason: NetSys.errorText(code))
        }
    }

    /// Whether CAP_SYS_TIME (bit 25) is in this process's effective set, from /proc/self/status;
    /// nil when that cannot be read.
    public static func hasClockCapability() -> Bool? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = NetSys.string(fromCBuffer: buffer)
            guard line.hasPrefix("CapEff:") else { continue }
            let hex = line.dropFirst("CapEff:".count).filter(\.isHexDigit)
            guard let mask = UInt64(hex, radix: 16) else { return nil }
            return mask & (1 << 25) != 0
        }
        return nil
    }
}
