#!/bin/bash
# Monitoring: three nights in which Backup2 never wakes. A local
# Healthchecks stand-in on the lab's loopback counts /start and /fail (with the
# log tail), the Prometheus textfile passes prometheus_client's parser and
# matches state.json, history --json holds three nights and a record per job
# per night, the summary block is in the log, status exits 1.
. "$(dirname "$0")/lib.sh"
need_nightshift
# The parser is installed before entering the lab (which has no network).
if [ -z "${LAB_DIR:-}" ] && ! "$LAB_PY" -c 'import prometheus_client.parser' 2>/dev/null; then
    "$LAB_PY" -m pip install -q prometheus_client >/dev/null 2>&1 \
        || "$LAB_PY" -m pip install -q --break-system-packages prometheus_client >/dev/null 2>&1 \
        || { apt-get install -y -qq python3-prometheus-client >/dev/null 2>&1; }
fi
in_lab --refuse-wake Backup2
if ! "$LAB_PY" -c 'import prometheus_client.parser' 2>/dev/null; then
    echo "SKIP: $TEST_NAME: prometheus_client is not installed for $LAB_PY and could not be installed"
    exit 77
fi

HC_LOG="$LAB_DIR/hc.jsonl"
"$LAB_PY" - "$HC_LOG" "$LAB_DIR/hc.port" <<'PY' &
import http.server, json, sys, os
log, port = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        with open(log, "a") as f:
            f.write(json.dumps({"path": self.path, "body": body}) + "\n")
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"OK")
    do_GET = do_POST
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(port + ".tmp", "w").write(str(s.server_address[1])); os.rename(port + ".tmp", port)
s.serve_forever()
PY
HC_PID=$!
trap 'kill $HC_PID 2>/dev/null' EXIT
wait_for 10 test -s "$LAB_DIR/hc.port"
export LAB_HEALTHCHECKS="http://127.0.0.1:$(cat "$LAB_DIR/hc.port")/ping/lab"
export LAB_METRICS="$LAB_DIR/nightshift/nightshift.prom"
export LAB_FORCE_WINDOW=$(window_not_now) LAB_WAKE_TIMEOUT=8s

for i in 1 2 3; do run_night --manual; done
check "night exits 1: a job failed (got $NIGHT_RC)" test "$NIGHT_RC" = 1
paths=$("$LAB_PY" -c 'import json,sys; print(" ".join(json.loads(l)["path"] for l in open(sys.argv[1])))' "$HC_LOG")
echo "  .. healthchecks got: $paths"
check "healthchecks: /start then /fail, three times" test "$paths" = "/ping/lab/start /ping/lab/fail /ping/lab/start /ping/lab/fail /ping/lab/start /ping/lab/fail"
check "the /fail ping carries the log tail" json_find "$HC_LOG" 'any("Backup1ZuBackup2: failed" in r["body"] for r in lines)'
grep -A2 "=== Night summary" "$LAB_DIR/nightshift/BackupLog.txt" | tail -3 | sed 's/^/  .. /'
check "the summary block is in the night's log" grep -q "=== Night summary: failed ===" "$LAB_DIR/nightshift/BackupLog.txt"
check "the summary shows rsync's counts" grep -Eq "ServerZuBackup1 +ok .* [0-9]+ of [0-9]+ files" "$LAB_DIR/nightshift/BackupLog.txt"

"$NIGHTSHIFT_BIN" history "$OFFICE" --json >"$LAB_DIR/history.out"
check "history --json: three nights" test "$(grep -c '"type":"cycle"' "$LAB_DIR/history.out")" = 3
check "history --json: three runs of each job" test "$(grep -c '"name":"ServerZuBackup1"' "$LAB_DIR/history.out")" = 3 -a "$(grep -c '"name":"Backup1ZuBackup2"' "$LAB_DIR/history.out")" = 3
"$NIGHTSHIFT_BIN" status "$OFFICE" >/dev/null 2>&1
check "status exits 1 (a job failed)" test "$?" = 1

"$LAB_PY" - "$LAB_METRICS" "$STATE_JSON" <<'PY' >"$LAB_DIR/metrics.check" 2>&1
import json, sys
from prometheus_client.parser import text_string_to_metric_families
m = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        m[(s.name, tuple(sorted(s.labels.items())))] = s.value
st = json.load(open(sys.argv[2]))
def job(name, metric): return m[(metric, (("backup_job", name),))]
ok = True
for name, j in st["jobs"].items():
    ok &= job(name, "nightshift_job_last_run_timestamp_seconds") == j["last_start"]
    ok &= job(name, "nightshift_job_last_ok") == (1 if j["result"] in ("ok", "warning") else 0)
    ok &= job(name, "nightshift_job_runs_total") == 3
ok &= job("ServerZuBackup1", "nightshift_job_last_success_timestamp_seconds") == st["jobs"]["ServerZuBackup1"]["last_good"]
ok &= job("Backup1ZuBackup2", "nightshift_job_failures_total") == 3
ok &= m[("nightshift_cycles_total", ())] == 3
ok &= m[("nightshift_host_up", (("host", "Backup1"),))] == (1 if st["hosts"]["Backup1"]["up"] else 0)
print("metrics match state.json" if ok else "MISMATCH")
sys.exit(0 if ok else 1)
PY
check "the .prom file parses and matches state.json" grep -q "metrics match" "$LAB_DIR/metrics.check"
finish
