import Foundation
import NightShiftCore
import NightShiftScripting

/// `check --live`'s output: one line per item, then a summary; the exit code's verdict.
enum LiveCheck {
    /// Prints the items and returns `.ok` when nothing failed, else `.failed`.
    static func report(_ items: [LiveItem]) -> ExitStatus {
        printSafe("Live check (nothing is changed):")
        let width = min(28, items.map(\.item.count).max() ?? 0)
        for i in items {
            let mark = i.status == "fail" ? "FAIL" : i.status
            printSafe("  " + mark.padding(toLength: 5, withPad: " ", startingAt: 0) + " "
                + i.item.padding(toLength: max(width, i.item.count), withPad: " ", startingAt: 0) + "  " + i.detail)
        }
        let failed = items.filter { $0.status == "fail" }.map(\.item)
        let passed = items.filter { $0.status == "ok" }.count
        let off = items.filter { $0.status == "off" }.count
        let skipped = items.filter { $0.status == "skip" }.count
        var summary = "Summary: \(passed) passed, \(failed.count) failed"
        if !failed.isEmpty { summary += " (\(failed.joined(separator: ", ")))" }
        if off > 0 { summary += ", \(off) host\(off == 1 ? "" : "s") offline" }
        if skipped > 0 { summary += ", \(skipped) not tried" }
        printSafe(summary)
        return failed.isEmpty ? .ok : .failed
    }
}
