import Dispatch
import Glibc

/// Turns SIGINT/SIGTERM into an `Interruption` plus a teardown of every running child's
/// process group (SIGTERM, then SIGKILL after the grace period), so a countdown stops at
/// once and a running copy tool is not left behind (docs/design.md, invariant 5). SIGHUP does not stop
/// anything: it calls `onHangup` (the daemon reopens its log file for logrotate).
public final class SignalTrap: @unchecked Sendable {
    // Dispatch sources run the handler on a queue, outside the async-signal context,
    // so the handler may take locks and spawn work. Only touched from `install`.
    private var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers; keep the returned trap alive for as long as they should work.
    /// `watchdog` ends the process if the stop has not ended it in time (nil: no forced exit).
    public static func install(interruption: Interruption = .shared, grace: Double = ProcessTeardown.grace,
                               watchdog: StopWatchdog? = .shared,
                               onHangup: @escaping @Sendable () -> Void = {}) -> SignalTrap {
        let trap = SignalTrap()
        let queue = DispatchQueue(label: "nightshift.signals")
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                if interruption.isTriggered {
                    // A second signal: no more grace period for the children.
                    for group in ChildProcesses.groups { killpg(group, SIGKILL) }
                    return
                }
                interruption.trigger(signal: sig)
                DispatchQueue.global().async { _ = ChildProcesses.terminateAll(grace: grace) }
                // The stop must not depend on Lua noticing it (invariant 15).
                watchdog?.arm(signal: sig)
            }
            source.resume()
            trap.sources.append(source)
        }
        // Ignored first, so a SIGHUP arriving before the source is live cannot kill the daemon.
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler { onHangup() }
        hangup.resume()
        trap.sources.append(hangup)
        return trap
    }
}
