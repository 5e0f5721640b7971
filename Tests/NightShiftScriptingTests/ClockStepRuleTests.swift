import Foundation
import NightShiftCore
@testable import NightShiftScripting
import XCTest

/// Invariant 13 where the library steps clocks: `ns.time.step` (this machine) and the rule
/// `core.clock_step_refusal` that clock sync asks before any `set_time` action. The stepper
/// is injected: no test here touches the real clock.
final class ClockStepRuleTests: XCTestCase {
    final class RecordingStepper: ClockStepper, @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [Double] = []
        var steps: [Double] { lock.withLock { recorded } }
        func step(by seconds: Double) throws { lock.withLock { recorded.append(seconds) } }
    }

    private let day = 86_400.0

    /// A runtime whose clock reads `now`, with a script that sets `extra` settings.
    private func runtime(now: Double, extra: String = "") throws -> (ScriptRuntime, RecordingStepper) {
        let f = try ScriptFixture()
        let stepper = RecordingStepper()
        let context = ScriptContext(log: f.log, options: ScriptOptions(), clockStepper: stepper, now: { now })
        context.stateDirectory = f.dir + "/state"
        let rt = try ScriptRuntime(context: context)
        let script = "settings { self = \"Nas\"\(extra) }\nhost \"Nas\" { }\n"
        let path = try f.write("site.lua", script)
        try rt.loadSite(path: path, source: Array(script.utf8))
        return (rt, stepper)
    }

    func testAPlausibleClockIsNotSteppedBeyondMaxClockStep() throws {
        let now = ClockPlausibility.buildDate + 100 * day
        let (rt, stepper) = try runtime(now: now)
        let r = try rt.executeWithCore("return ns.time.step(50 * 365.25 * 86400)")
        XCTAssertEqual(r.first, .nil)
        XCTAssertTrue(r.last?.stringValue?.contains("exceeds max_clock_step") == true, "\(r)")
        let back = try rt.executeWithCore("return ns.time.step(-2 * 86400)")
        XCTAssertEqual(back.first, .nil, "\(back)")
        let small = try rt.executeWithCore("return ns.time.step(3600)")
        XCTAssertEqual(small.first, .boolean(true), "\(small)")
        XCTAssertEqual(stepper.steps, [3600])
    }

    func testMaxClockStepIsASetting() throws {
        let now = ClockPlausibility.buildDate + 100 * day
        let (rt, stepper) = try runtime(now: now, extra: ", max_clock_step = \"10d\"")
        XCTAssertEqual(try rt.executeWithCore("return ns.time.step(5 * 86400)").first, .boolean(true))
        XCTAssertEqual(stepper.steps, [5 * day])
    }

    func testAClockBeforeTheBuildDateIsSetToAGoodReferenceWhateverTheStep() throws {
        let y2000 = 946_684_800.0
        let (rt, stepper) = try runtime(now: y2000)
        let step = ClockPlausibility.buildDate + 100 * day - y2000
        XCTAssertEqual(try rt.executeWithCore("return ns.time.step(\(step))").first, .boolean(true))
        XCTAssertEqual(stepper.steps, [step])
        // ...but never to a time before the build date.
        let r = try rt.executeWithCore("return ns.time.step(86400)")
        XCTAssertEqual(r.first, .nil)
        XCTAssertTrue(r.last?.stringValue?.contains("before this build's date") == true, "\(r)")
    }

    func testTheRuleClockSyncAsksForTargets() throws {
        let now = ClockPlausibility.buildDate + 100 * day
        let (rt, _) = try runtime(now: now)
        let r = try rt.executeWithCore("""
            return core.clock_step_refusal(\(now), \(now + 50 * 365.25 * day)) ~= nil,
                   core.clock_step_refusal(\(now), \(now + 60)) == nil,
                   core.clock_step_refusal(946684800, \(now)) == nil,
                   core.clock_step_refusal(nil, \(now)) == nil,
                   core.clock_step_refusal(nil, -2208988800) ~= nil
            """)
        XCTAssertEqual(r, [.boolean(true), .boolean(true), .boolean(true), .boolean(true), .boolean(true)])
    }
}
