#!/bin/bash
# The office status page after real nights, loaded in headless Chromium (in its own
# empty network namespace): the hooks carry the right states while a night runs and
# after it, a job reason carrying HTML shows as text and runs nothing, the page asks
# the network for nothing, and it reads on a 360 px phone.
. "$(dirname "$0")/lib.sh"
need_nightshift
if ! command -v chromium >/dev/null; then
    echo "SKIP: $TEST_NAME: no chromium (apt-get install chromium)"
    exit 77
fi
in_lab --data-kb 24

export LAB_FORCE_WINDOW=$(window_not_now)
export LAB_HOME="$REPO/scripts/lab"
mkdir -p "$LAB_DIR/www"
export LAB_STATUS_PAGE="$LAB_DIR/www/index.html"
PAGE=$LAB_STATUS_PAGE
# The office plus a job whose tool answers with markup, as a broken or hostile tool might.
OFFICE_COPY="$LAB_DIR/office-status.lua"
cp "$OFFICE" "$OFFICE_COPY"
cat >>"$OFFICE_COPY" <<'EOF'
job "Hostile" {
  source = "Server", target = "Server", after = "none", time_sync = "none",
  run = function()
    return false, [[<img src=x onerror="document.body.setAttribute('data-pwned','img')"><script>document.body.setAttribute('data-pwned','script')</script>]]
  end,
}
EOF
OFFICE=$OFFICE_COPY
facts() { "$LAB_PY" "$E2E_DIR/page-check.py" "$@"; }
# fact FILE 'python expression on d'
fact() { json_find "$1" "$2"; }

# A night in progress: the page says running (and reloads) at the first job's start.
export LAB_RSYNC_BWLIMIT=400
"$NIGHTSHIFT_BIN" run "$OFFICE" --once >"$LAB_DIR/night-1.out" 2>&1 &
nspid=$!
check "the page says a job is running" wait_for 120 'grep -q "<tr data-job=\"[^\"]*\" data-state=\"running\"" "$PAGE" 2>/dev/null'
cp "$PAGE" "$LAB_DIR/running.html"
wait "$nspid"
rc=$?
unset LAB_RSYNC_BWLIMIT
facts "$LAB_DIR/running.html" >"$LAB_DIR/running.json"
R="$LAB_DIR/running.json"
check "running: #verdict is running" fact "$R" 'd["verdict"] == "running"'
check "running: one job row is running" fact "$R" 'list(d["jobs"].values()).count("running") == 1'
check "running: the page reloads itself" fact "$R" 'd["meta_refresh"]'
check "running: the running night is shown" fact "$R" '"running" in d["ids"] and " of 3 (" in d["verdict_text"]'

check "the night exits 1: the Hostile job failed (got $rc)" test "$rc" = 1
check "the page is mode 0644" test "$(stat -c %a "$PAGE")" = 644
facts "$PAGE" --measure-width 360 >"$LAB_DIR/after.json"
A="$LAB_DIR/after.json"
check "after: the two copies are ok" fact "$A" 'd["jobs"].get("ServerZuBackup1") == "ok" and d["jobs"].get("Backup1ZuBackup2") == "ok"'
check "after: the Hostile job is failed" fact "$A" 'd["jobs"].get("Hostile") == "failed"'
check "after: #verdict is failed and names the job" fact "$A" 'd["verdict"] == "failed" and "Hostile" in d["verdict_text"]'
check "after: no reload once the night ended" fact "$A" 'not d["meta_refresh"]'
check "after: the workstations are offline" fact "$A" 'all(d["hosts"].get(w) == "offline" for w in ("Work1", "Work2", "Work3", "Work4"))'
check "after: each host says how its probe went" fact "$A" '"no answer (" in d["text"] and "at the sweep of" in d["text"]'
check "after: every host but the NAS has a row" fact "$A" 'sorted(d["hosts"]) == ["Backup1", "Backup2", "Work1", "Work2", "Work3", "Work4"]'
today=$(date +%F)
check "after: 30 nights, today failed with its decision" \
    fact "$A" 'len(d["nights"]) == 30 and d["nights"]["'"$today"'"] == "failed" and "backed up" in d["night_titles"]["'"$today"'"]'
check "after: the markup in the reason is text" fact "$A" '"<img src=x onerror=" in d["text"] and "<script>document.body" in d["text"]'
check "after: it made no element and ran nothing" \
    fact "$A" 'd["tags"].get("img", 0) == 0 and d["tags"].get("script", 0) == 0 and "data-pwned" not in d["body_attrs"]'
check "after: the page asked the network for nothing" fact "$A" 'd["requests"] == [] and d["attrs_with_url"] == []'
check "after: every hook is there" fact "$A" 'all(i in d["ids"] for i in ("verdict", "jobs", "nights", "hosts", "why", "next"))'
check "after: headings, table headers, viewport" fact "$A" 'd["h1"] == 1 and d["h2"] >= 5 and d["th"] >= 10 and d["viewport"]'
check "after: states are words, not only colours" fact "$A" '" failed" in d["text"] and " ok" in d["text"] and "offline" in d["text"]'
check "after: laid out 360 px wide, nothing wider (got $(json_find "$A" 'print(d.get("scroll_width")) or True'))" \
    fact "$A" '0 < d["scroll_width"] <= 360'
check "history: the night's decision apart from its reason" \
    test "$(history_count 'r.get("type")=="cycle" and r.get("ran") and r.get("decision") and "Hostile" in (r.get("reason") or "")')" = 1

"$NIGHTSHIFT_BIN" status "$OFFICE" --html >"$LAB_DIR/cli.html"
check "status --html prints the same hooks" grep -q 'data-job="Hostile" data-state="failed"' "$LAB_DIR/cli.html"
"$NIGHTSHIFT_BIN" history "$OFFICE" >"$LAB_DIR/history.txt"
check "history shows the decision column" grep -q 'DECISION' "$LAB_DIR/history.txt"
"$NIGHTSHIFT_BIN" status "$OFFICE" >"$LAB_DIR/status.txt"
check "status shows the last decision" grep -q '^Decision: ' "$LAB_DIR/status.txt"
check "status lists the recent decisions" grep -q 'Recent decisions (newest first):' "$LAB_DIR/status.txt"
finish
