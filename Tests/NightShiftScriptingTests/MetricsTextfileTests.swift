import Foundation
import XCTest

/// `settings.metrics`: the Prometheus textfile after every cycle, read back by a real parser
/// (prometheus_client's text parser) and compared with state.json.
final class MetricsTextfileTests: XCTestCase {
    /// Python that parses the textfile and prints `name{labels} value` per sample as JSON.
    static let parser = #"""
    import json, sys
    from prometheus_client.parser import text_string_to_metric_families
    out = {}
    for family in text_string_to_metric_families(open(sys.argv[1]).read()):
        for s in family.samples:
            key = s.name + "".join("{%s=%s}" % kv for kv in sorted(s.labels.items()))
            out[key] = s.value
    print(json.dumps(out))
    """#

    /// Makes sure prometheus_client is importable: installs it with pip when missing, else skips.
    private func requireParser() throws {
        func importable() -> Bool {
            (try? CycleFixture.sh("python3 -c 'import prometheus_client.parser' 2>/dev/null && echo yes"))?.contains("yes") ?? false
        }
        guard ScriptTool.which("python3") != nil else { throw XCTSkip("python3 is not installed: no Prometheus parser") }
        if importable() { return }
        _ = try? CycleFixture.sh("python3 -m pip install -q prometheus_client >/dev/null 2>&1 || "
            + "python3 -m pip install -q --break-system-packages prometheus_client >/dev/null 2>&1")
        if !importable() { throw XCTSkip("prometheus_client is not installed and pip could not install it") }
    }

    func testTheTextfilePassesARealParserAndMatchesState() throws {
        try requireParser()
        let n = ObservedNight(f: try ScriptFixture())
        try n.site(settings: #"metrics = "prom/nightshift.prom", max_age = "1h""#, """
            job "Good" { source = "Nas", target = "Nas", time_sync = "none", run = { "true" } }
            job "Bad" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "exit 3" } }
            """)
        try FileManager.default.createDirectory(atPath: n.f.dir + "/prom", withIntermediateDirectories: true)
        XCTAssertEqual(try n.night(), 1, n.log)
        XCTAssertEqual(try n.night(), 1, n.log)
        let prom = n.f.dir + "/prom/nightshift.prom"
        let parserPath = try n.f.write("parse.py", Self.parser)
        let json = try CycleFixture.sh("python3 \(parserPath) \(prom)")
        let samples = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Double], json)
        let state = try n.state()
        let jobs = try XCTUnwrap(state["jobs"] as? [String: [String: Any]])
        let good = try XCTUnwrap(jobs["Good"])
        XCTAssertEqual(samples["nightshift_job_last_success_timestamp_seconds{backup_job=Good}"], good["last_good"] as? Double)
        XCTAssertEqual(samples["nightshift_job_last_run_timestamp_seconds{backup_job=Good}"], good["last_start"] as? Double)
        XCTAssertEqual(samples["nightshift_job_last_ok{backup_job=Good}"], 1)
        XCTAssertEqual(samples["nightshift_job_last_ok{backup_job=Bad}"], 0)
        XCTAssertNil(samples["nightshift_job_last_success_timestamp_seconds{backup_job=Bad}"], json)
        XCTAssertEqual(samples["nightshift_job_stale{backup_job=Good}"], 0)
        XCTAssertEqual(samples["nightshift_job_runs_total{backup_job=Good}"], 2)
        XCTAssertEqual(samples["nightshift_job_failures_total{backup_job=Bad}"], 2)
        XCTAssertEqual(samples["nightshift_cycles_total"], 2)
        // max_age = "1h" for both jobs; no sample keeps the label Prometheus would rename.
        XCTAssertEqual(samples["nightshift_job_max_age_seconds{backup_job=Good}"], 3_600)
        XCTAssertEqual(samples["nightshift_job_max_age_seconds{backup_job=Bad}"], 3_600)
        XCTAssertFalse(samples.keys.contains { $0.contains("{job=") }, json)
        // The totals the metrics show are the ones state.json keeps.
        let counters = try XCTUnwrap(state["history"] as? [String: Any])
        XCTAssertEqual(counters["cycles"] as? Int, 2)
        XCTAssertEqual(((counters["jobs"] as? [String: Any])?["Bad"] as? [String: Any])?["failures"] as? Int, 2)
        let cycle = try XCTUnwrap(state["last_cycle"] as? [String: Any])
        XCTAssertEqual(samples["nightshift_last_cycle_timestamp_seconds"], cycle["end"] as? Double)
        let duration = try XCTUnwrap(samples["nightshift_job_last_duration_seconds{backup_job=Good}"])
        XCTAssertEqual(duration, (good["last_end"] as! Double) - (good["last_start"] as! Double), accuracy: 1e-6)
        let text = try String(contentsOfFile: prom, encoding: .utf8)
        XCTAssertTrue(text.contains("# TYPE nightshift_job_runs_total counter"), text)
        let attributes = try FileManager.default.attributesOfItem(atPath: prom)
        XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o644, "node_exporter must read it")
    }

    func testAStaleJobShowsInTheMetrics() throws {
        try requireParser()
        let n = ObservedNight(f: try ScriptFixture())
        try n.site(settings: #"metrics = "nightshift.prom""#,
                   #"job "Never" { source = "Nas", target = "Nas", time_sync = "none", run = { "sh", "-c", "exit 1" }, max_age = "1s" }"#)
        XCTAssertEqual(try n.night(), 1, n.log)
        let parserPath = try n.f.write("parse.py", Self.parser)
        var json = ""
        XCTAssertTrue(eventually(within: 20) {
            _ = try? n.night()
            json = (try? CycleFixture.sh("python3 \(parserPath) \(n.f.dir)/nightshift.prom")) ?? ""
            return json.contains("\"nightshift_job_stale{backup_job=Never}\": 1.0")
        }, json)
    }
}
