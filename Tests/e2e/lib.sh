# Tests/e2e/lib.sh - helpers for the end-to-end tests (sourced).
#
# A test script calls `in_lab [lab options]` first: outside the lab it re-runs
# itself inside `scripts/lab/lab run ... -- "$0"` and exits with its status
# (77 = skipped: no namespace); inside, it returns and the test goes on.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
LAB="$REPO/scripts/lab/lab"
TEST_NAME=$(basename "$0" .sh)
PASSED=0
FAILED=0
if [ -z "${LAB_PY:-}" ]; then
    if [ -x /usr/bin/python3 ]; then LAB_PY=/usr/bin/python3; else LAB_PY=$(command -v python3); fi
fi
: "${NIGHTSHIFT_BIN:=$REPO/.build/release/nightshift}"
case "$NIGHTSHIFT_BIN" in /*) ;; *) NIGHTSHIFT_BIN="$REPO/$NIGHTSHIFT_BIN" ;; esac
export NIGHTSHIFT_BIN

in_lab() {
    if [ -z "${LAB_DIR:-}" ]; then
        "$LAB" run --quiet "$@" -- "$0"
        exit $?
    fi
}

need_nightshift() {
    if [ ! -x "$NIGHTSHIFT_BIN" ]; then
        echo "SKIP: $TEST_NAME: no nightshift binary at $NIGHTSHIFT_BIN (build it: swift build -c release)"
        exit 77
    fi
}

ok() { PASSED=$((PASSED + 1)); echo "  ok   - $*"; }
bad() { FAILED=$((FAILED + 1)); echo "  FAIL - $*"; }

# check "description" command...   (passes when the command succeeds)
check() {
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

# check_not "description" command...   (passes when the command fails)
check_not() {
    local what=$1; shift
    if "$@"; then bad "$what"; else ok "$what"; fi
}

finish() {
    echo "$TEST_NAME: $PASSED checks passed, $FAILED failed"
    if [ "$FAILED" -gt 0 ]; then
        if [ -n "${LAB_DIR:-}" ]; then
            echo "--- events.log"
            tail -n 60 "$LAB_DIR/events.log"
            if [ -f "$LAB_DIR/nightshift/BackupLog.txt" ]; then
                echo "--- BackupLog.txt (tail)"
                tail -n 60 "$LAB_DIR/nightshift/BackupLog.txt"
            fi
        fi
        exit 1
    fi
    exit 0
}

ctl() { "$LAB" ctl "$@"; }
state_of() { "$LAB" ctl --field state "$1" status; }
power_of() { "$LAB" ctl --field power "$1" status; }

# pingable IP -> 0 when it answers one ping within 1 s
pingable() { ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1; }

# tcp_state IP PORT -> prints open | refused | timeout
tcp_state() {
    "$LAB_PY" - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket(); s.settimeout(1.5)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); print("open")
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("timeout")
EOF
}

lab_ssh() { ssh -F "$LAB_SSH_CONFIG" "$@"; }

# events TAG [MACHINE]: the matching lines of events.log
events() {
    if [ -n "${2:-}" ]; then
        awk -v t="$1" -v m="$2" '$4 == t && $3 == m' "$LAB_DIR/events.log"
    else
        awk -v t="$1" '$4 == t' "$LAB_DIR/events.log"
    fi
}
count_events() { events "$@" | wc -l; }
first_event_time() { events "$@" | head -n 1 | awk '{print $1}'; }
last_event_time() { events "$@" | tail -n 1 | awk '{print $1}'; }

# wait_for SECONDS 'shell condition': polls every 0.1 s (the condition is
# eval'ed each time, so quote it: wait_for 2 '[ "$(state_of B1)" = off ]')
wait_for() {
    local t=$1; shift
    local now=${EPOCHREALTIME/./}
    local end=$(( now + $("$LAB_PY" -c "print(int(float('$t') * 1e6))") ))
    while :; do
        eval "$*" && return 0
        [ "${EPOCHREALTIME/./}" -ge "$end" ] && return 1
        sleep 0.1
    done
}

# same_tree A B: identical file lists and contents
same_tree() { diff -r "$1" "$2" >/dev/null; }
file_count() { find "$1" -type f | wc -l; }

# fsub A B: A - B with two decimals
fsub() { "$LAB_PY" -c "print('%.2f' % ($1 - $2))"; }

# float comparison: fcmp "a < b"
fcmp() { "$LAB_PY" -c "import sys; sys.exit(0 if ($1) else 1)"; }

# nas_pgrep PATTERN: pids (pgrep -f) of processes on the NAS itself (this
# network namespace), not on the simulated machines
nas_pgrep() {
    local p me
    me=$(readlink /proc/$$/ns/net)
    for p in $(pgrep -f "$1"); do
        [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$me" ] && echo "$p"
    done
}

# the NightShift run inside the lab
NS_STATE="${LAB_DIR:-}/nightshift/state"
NS_LOG="${LAB_DIR:-}/nightshift/BackupLog.txt"
OFFICE="$REPO/scripts/lab/office.lua"

# run_night [extra nightshift args]: one whole night, console to $LAB_DIR/night-N.out
NIGHT=0
run_night() {
    NIGHT=$((NIGHT + 1))
    local out="$LAB_DIR/night-$NIGHT.out"
    echo "  .. night $NIGHT: nightshift run office.lua --once $*"
    "$NIGHTSHIFT_BIN" run "$OFFICE" --once "$@" >"$out" 2>&1
    NIGHT_RC=$?
    echo "  .. night $NIGHT ended with exit code $NIGHT_RC ($(wc -l <"$out") console lines)"
    return 0
}

# json_find FILE PYTHON-EXPR: evaluates EXPR with `d` = the parsed JSON (or
# `lines` = list of parsed JSON lines for .jsonl); exit 0 when truthy.
json_find() {
    "$LAB_PY" - "$1" "$2" <<'EOF'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
try:
    text = open(path).read()
except OSError as e:
    print("  (cannot read %s: %s)" % (path, e)); sys.exit(1)
if path.endswith(".jsonl"):
    lines = [json.loads(l) for l in text.splitlines() if l.strip()]; d = lines
else:
    d = json.loads(text); lines = [d]
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield k; yield from walk(v)
    elif isinstance(x, list):
        for v in x: yield from walk(v)
    else:
        yield x
def has(value, obj=None):
    return any(v == value for v in walk(d if obj is None else obj))
sys.exit(0 if eval(expr) else 1)
EOF
}

# time windows for settings.force_window, relative to now
window_around_now() { # from 1 minute ago to 30 minutes from now
    echo "$(date -d '-1 min' +%H:%M)-$(date -d '+30 min' +%H:%M)"
}
window_not_now() { # two to three hours from now
    echo "$(date -d '+2 hours' +%H:%M)-$(date -d '+3 hours' +%H:%M)"
}

# the shares
SRC_SERVER="${LAB_DIR:-}/machines/Server/share/Daten"
SRC_B2="${LAB_DIR:-}/machines/Backup2/share/Projekte"
DST_SERVER="${LAB_DIR:-}/machines/Backup1/share/Server"
DST_B2="${LAB_DIR:-}/machines/Backup1/share/Backup2"
STATE_JSON="${LAB_DIR:-}/nightshift/state/state.json"
HISTORY="${LAB_DIR:-}/nightshift/state/history.jsonl"
REPORT_DIR="${LAB_DIR:-}/machines/Server/share"

# job_result JOB -> the job's last result in state.json (ok | warning | failed | interrupted ...)
job_result() {
    "$LAB_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][sys.argv[2]]["result"])' "$STATE_JSON" "$1" 2>/dev/null
}
job_reason() {
    "$LAB_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][sys.argv[2]]["reason"])' "$STATE_JSON" "$1" 2>/dev/null
}
# history_count 'python condition on r' -> number of history records matching
history_count() {
    "$LAB_PY" - "$HISTORY" "$1" <<'PY'
import json, sys
n = 0
try:
    for line in open(sys.argv[1]):
        if line.strip():
            r = json.loads(line)
            if eval(sys.argv[2]):
                n += 1
except FileNotFoundError:
    pass
print(n)
PY
}
