#!/bin/bash
# Fleet monitoring with the real engines: Debian's prometheus-node-exporter reads the
# NAS's textfile (textfile collector only), Debian's prometheus scrapes it every second and
# loads the shipped packaging/prometheus/nightshift-alerts.yml. Both are started by hand on
# the lab NAS's loopback (127.0.0.1:9100 and :9090, inside the lab's namespace). After two
# nights in which Backup2 never wakes, its HTTP API must show the series with the label
# backup_job (no exported_job: Prometheus owns `job`) and NightShiftJobFailed firing for
# Backup1ZuBackup2 only.
. "$(dirname "$0")/lib.sh"
need_nightshift
PROMETHEUS=$(command -v prometheus || true)
EXPORTER=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -z "$PROMETHEUS" ] || [ -z "$EXPORTER" ]; then
    echo "SKIP: $TEST_NAME: prometheus and prometheus-node-exporter are not installed (scripts/lib/deps.sh TEST_PACKAGES)"
    exit 77
fi
in_lab --refuse-wake Backup2

echo "  .. $("$PROMETHEUS" --version 2>&1 | head -n 1)"
echo "  .. $("$EXPORTER" --version 2>&1 | head -n 1)"
TEXTFILES="$LAB_DIR/textfile"
mkdir -p "$TEXTFILES" "$LAB_DIR/prometheus-data"
export LAB_METRICS="$TEXTFILES/nightshift.prom"
export LAB_FORCE_WINDOW=$(window_not_now) LAB_WAKE_TIMEOUT=8s

"$EXPORTER" --web.listen-address=127.0.0.1:9100 --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$TEXTFILES" >"$LAB_DIR/node-exporter.log" 2>&1 &
EXPORTER_PID=$!
cat >"$LAB_DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $REPO/packaging/prometheus/nightshift-alerts.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:9100"]
YAML
"$PROMETHEUS" --config.file="$LAB_DIR/prometheus.yml" --storage.tsdb.path="$LAB_DIR/prometheus-data" \
    --web.listen-address=127.0.0.1:9090 >"$LAB_DIR/prometheus.log" 2>&1 &
PROMETHEUS_PID=$!
trap 'kill $EXPORTER_PID $PROMETHEUS_PID 2>/dev/null; wait $EXPORTER_PID $PROMETHEUS_PID 2>/dev/null' EXIT

# query PROMQL: the API's result list as JSON on stdout ([] while there is none).
query() {
    "$LAB_PY" - "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:9090/api/v1/query?query=" + urllib.parse.quote(sys.argv[1]), timeout=5) as r:
        print(json.dumps(json.load(r)["data"]["result"]))
except Exception:
    print("[]")
PY
}
firing() {
    "$LAB_PY" - <<'PY'
import json, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:9090/api/v1/alerts", timeout=5) as r:
        alerts = json.load(r)["data"]["alerts"]
except Exception:
    alerts = []
print(json.dumps([a["labels"] for a in alerts if a["state"] == "firing"]))
PY
}

check "prometheus is ready within 60 s" wait_for 60 '"$LAB_PY" -c "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:9090/-/ready\", timeout=2)" 2>/dev/null'
rules() {
    "$LAB_PY" - <<'PY'
import json, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:9090/api/v1/rules", timeout=5) as r:
        groups = json.load(r)["data"]["groups"]
except Exception:
    groups = []
print(" ".join(sorted(rule["name"] for g in groups if g["name"] == "nightshift" for rule in g["rules"])))
PY
}
check "prometheus loaded the shipped rules" wait_for 30 '[ "$(rules)" = "NightShiftBackupStale NightShiftJobFailed NightShiftNotReporting" ]'

for i in 1 2; do run_night --manual; done
check "night exits 1: a job failed (got $NIGHT_RC)" test "$NIGHT_RC" = 1
check "the textfile was written" test -s "$LAB_METRICS"

check "the scrape brings nightshift_job_last_ok within 30 s" \
    wait_for 30 '[ "$(query nightshift_job_last_ok | "$LAB_PY" -c "import json,sys; print(len(json.load(sys.stdin)))")" = 2 ]'
query nightshift_job_last_ok >"$LAB_DIR/last_ok.json"
echo "  .. nightshift_job_last_ok: $(cat "$LAB_DIR/last_ok.json")"
check "the series carry backup_job and the scrape's own job label" json_find "$LAB_DIR/last_ok.json" \
    'sorted(r["metric"]["backup_job"] for r in d) == ["Backup1ZuBackup2", "ServerZuBackup1"] and all(r["metric"]["job"] == "node" for r in d)'
check "no exported_job label anywhere" test "$(query '{exported_job!=""}')" = "[]"
query nightshift_notifications_undelivered >"$LAB_DIR/undelivered.json"
check "nightshift_notifications_undelivered is scraped (0: nothing waits)" json_find "$LAB_DIR/undelivered.json" \
    'len(d) == 1 and d[0]["value"][1] == "0"'
query nightshift_job_runs_total >"$LAB_DIR/runs.json"
check "two runs of each job" json_find "$LAB_DIR/runs.json" 'sorted(r["value"][1] for r in d) == ["2", "2"]'

check "NightShiftJobFailed fires within 30 s" wait_for 30 'firing | grep -q NightShiftJobFailed'
firing >"$LAB_DIR/firing.json"
echo "  .. firing: $(cat "$LAB_DIR/firing.json")"
check "NightShiftJobFailed names Backup1ZuBackup2 only" json_find "$LAB_DIR/firing.json" \
    '[a["backup_job"] for a in d if a["alertname"] == "NightShiftJobFailed"] == ["Backup1ZuBackup2"]'
check "nothing is stale or silent the night of a good backup" json_find "$LAB_DIR/firing.json" \
    'not [a for a in d if a["alertname"] in ("NightShiftBackupStale", "NightShiftNotReporting") and a.get("backup_job") != "Backup1ZuBackup2"]'
finish
