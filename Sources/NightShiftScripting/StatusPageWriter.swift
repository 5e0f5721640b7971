import Foundation
import NightShiftCore

extension ScriptContext {
    /// Rewrites `settings.status_page` from the state as it is now. A page that cannot be
    /// written is logged (once per cycle) and never fails the night: the backups matter more.
    /// Under --dry-run nothing is written, like the state it reflects.
    func writeStatusPage() {
        guard let target = statusPage, let dir = stateDirectory, !options.dryRun else { return }
        do {
            try StatusPage.write(target, stateDir: dir, now: now())
        } catch {
            if !statusPageFailed { log.error("Cannot write the status page \(target.path): \(error)") }
            statusPageFailed = true
        }
    }
}
