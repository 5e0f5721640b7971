// nightshift-load-bench SCRIPT [N]: what every cycle of `nightshift run` pays before it
// sweeps - a fresh Lua state with the embedded library, then the site script run and
// validated - done N times (default 1000) in this one process. Prints the CPU and wall
// seconds per load, means over the N loads, as "cpu wall".
//
// A benchmark target rather than a CLI option: `scripts/bench` compares it with bare
// lua5.4 loading the same file in-process (scripts/bench-support/load-loop.lua), and a
// load (about a millisecond) is smaller than the noise of starting a process.
import Foundation
import NightShiftCore
import NightShiftScripting

let arguments = CommandLine.arguments
guard arguments.count >= 2, arguments.count <= 3, let runs = Int(arguments.count == 3 ? arguments[2] : "1000"), runs >= 1 else {
    FileHandle.standardError.write(Data("usage: nightshift-load-bench SCRIPT [N >= 1]\n".utf8))
    exit(2)
}
let path = arguments[1]
guard let contents = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("nightshift-load-bench: cannot read \(path)\n".utf8))
    exit(2)
}
let source = Array(contents)

func seconds(_ clock: clockid_t) -> Double {
    var t = timespec()
    clock_gettime(clock, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

do {
    let log = try NightShiftLog(filePath: nil)
    // The same options as `nightshift check`: dry run, so nothing outside is touched.
    let options = ScriptOptions(dryRun: true)
    let cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC)
    for _ in 0..<runs {
        let runtime = try ScriptRuntime(context: ScriptContext(log: log, options: options))
        _ = try runtime.loadSite(path: path, source: source)
    }
    let cpu = (seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / Double(runs)
    let wall = (seconds(CLOCK_MONOTONIC) - wall0) / Double(runs)
    print(String(format: "%.9f %.9f", cpu, wall))
} catch let problems as ScriptProblems {
    FileHandle.standardError.write(Data("nightshift-load-bench: \(path): \(problems.problems.joined(separator: "; "))\n".utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("nightshift-load-bench: \(error)\n".utf8))
    exit(1)
}
