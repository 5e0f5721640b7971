import Foundation

/// Why a wake alarm was not set.
public struct RTCAlarmError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `cannot write /sys/class/rtc/rtc0/wakealarm: Permission denied`.
    public let message: String
    /// Creates an error with the given message.
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// This machine's RTC wake alarm through sysfs (`wakealarm`, seconds since the epoch).
///
/// Hand-written: it is two writes to one sysfs file, and no library covers it.
public struct RTCAlarm: Sendable {
    /// The furthest ahead an alarm may be set. Many RTCs only match day/hour/minute (a
    /// month ahead at most) and the kernel quietly truncates further alarms, so a longer
    /// wait is refused rather than set wrong.
    public static let maxAhead: Double = 28 * 86400

    /// The `wakealarm` file: `path/wakealarm` when `path` is a directory (an RTC in sysfs),
    /// else `path` itself.
    public let file: String

    /// `path` is an RTC directory (`/sys/class/rtc/rtc0`) or a plain file (tests, labs; made
    /// when missing, so a lab's first night has somewhere to write).
    public init(path: String) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            file = path.hasSuffix("/") ? path + "wakealarm" : path + "/wakealarm"
        } else if path.hasPrefix("/sys/") {
            // A sysfs RTC that is not there: name its wakealarm, so the error says what is missing.
            file = path.hasSuffix("/") ? path + "wakealarm" : path + "/wakealarm"
        } else {
            file = path
        }
    }

    /// Checks that `epoch` is in the future and within ``maxAhead`` of `now`; returns it whole.
    public static func validate(epoch: Double, now: Double) -> Result<Int64, RTCAlarmError> {
        guard epoch.isFinite else { return .failure(RTCAlarmError(message: "the wake-up time is not a number")) }
        let whole = Int64(epoch.rounded(.up))
        if Double(whole) <= now {
            return .failure(RTCAlarmError(message: "the wake-up time \(whole) is in the past (now \(Int64(now)))"))
        }
        if Double(whole) - now > maxAhead {
            return .failure(RTCAlarmError(message: "the wake-up time \(whole) is more than \(Int(maxAhead / 86400)) days ahead, further than an RTC alarm reliably reaches"))
        }
        return .success(whole)
    }

    /// Sets the alarm: writes "0" first (the kernel refuses a new alarm while one is
    /// pending, as autosuspend learned), then the epoch.
    public func set(epoch: Double, now: Double) -> Result<Int64, RTCAlarmError> {
        let whole: Int64
        switch Self.validate(epoch: epoch, now: now) {
        case .success(let w): whole = w
        case .failure(let e): return .failure(e)
        }
        if let error = write("0") ?? write(String(whole)) { return .failure(error) }
        return .success(whole)
    }

    private func write(_ text: String) -> RTCAlarmError? {
        // O_TRUNC keeps a plain file holding only the last value; sysfs ignores it.
        // A plain file (tests, labs) is made when missing; sysfs files always exist. O_NONBLOCK:
        // a FIFO planted there must not hang the night.
        let create: Int32 = file.hasPrefix("/sys/") ? 0 : O_CREAT
        let fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | create, 0o644)
        guard fd >= 0 else { return RTCAlarmError(message: "cannot open \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((text + "\n").utf8)
        let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else {
            return RTCAlarmError(message: "cannot write \(text) to \(file): \(n < 0 ? String(cString: strerror(errno)) : "short write")")
        }
        return nil
    }
}
