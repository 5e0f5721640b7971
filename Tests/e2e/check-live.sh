#!/bin/bash
# nightshift check --live in the lab office: Work1 and Backup2 are on and take the
# lab's key, Work2 is on but its ssh refuses the key the script names, Backup1 is
# off; one ntfy endpoint answers (a local HTTP server on the NAS), one is dead.
# The rehearsal names every item, changes nothing (nobody is woken or switched
# off, no state is written) and exits 1 naming what failed.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --on Work1 --on Work2 --on Backup2

SITE="$LAB_DIR/live.lua"
ssh-keygen -q -t ed25519 -N '' -C "not-authorized" -f "$LAB_DIR/ssh/stranger" </dev/null
PORT_FILE="$LAB_DIR/http.port"
"$LAB_PY" - "$PORT_FILE" "$LAB_DIR/http.log" <<'PY' &
import http.server, sys, os
port_file, log = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode()
        with open(log, "a") as f:
            f.write("%s %s %s\n" % (self.path, self.headers.get("Title"), body))
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("10.66.1.1", 0), H)
open(port_file + ".tmp", "w").write(str(s.server_address[1])); os.rename(port_file + ".tmp", port_file)
s.serve_forever()
PY
SERVER=$!
wait_for 10 '[ -s "$PORT_FILE" ]' || bad "the HTTP stand-in did not start"
PORT=$(cat "$PORT_FILE")

cat >"$SITE" <<LUA
local ns = require "nightshift"
local opts = { "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "LogLevel=ERROR", "IdentitiesOnly=yes" }
local lab = ns.actions.linux_ssh { key = "$LAB_DIR/ssh/id_ed25519", connect_timeout = 5, options = opts }
local stranger = ns.actions.linux_ssh { key = "$LAB_DIR/ssh/stranger", connect_timeout = 5, options = opts }
settings { self = "Server", state_dir = "$LAB_DIR/live-state", log_file = "$LAB_DIR/live.log", actions = lab }
host "Server" { }
host "Work1" { ip = "10.66.1.10", mac = "02:66:01:00:00:0a", via = "10.66.1.1", user = "root" }
host "Work2" { ip = "10.66.1.20", mac = "02:66:01:00:00:14", via = "10.66.1.2", user = "root", actions = stranger }
host "Backup1" { ip = "10.66.1.100", mac = "02:66:01:00:00:64", via = "10.66.1.4", user = "root" }
host "Backup2" { ip = "10.66.1.200", mac = "02:66:01:00:00:c8", via = "10.66.1.1", user = "root", time_source = true }
ns.notify.ntfy { url = "http://10.66.1.1:$PORT/office" }
ns.notify.ntfy { url = "http://10.66.1.1:9/dead" }
LUA
chmod 600 "$LAB_DIR/ssh/id_ed25519" "$LAB_DIR/ssh/stranger"

OUT="$LAB_DIR/check-live.out"
"$NIGHTSHIFT_BIN" check "$SITE" --live >"$OUT" 2>&1
RC=$?
cat "$OUT" | sed -n '/Live check/,$p'
check "exit 1: an item failed (got $RC)" test "$RC" = 1
check "Work1 is up and its ssh login is accepted" grep -q "^  ok    ssh Work1" "$OUT"
check "Work2's ssh refuses the key, and says how to fix it" grep -q "^  FAIL  ssh Work2 .*Permission denied.*authorized_keys" "$OUT"
check "Backup1 is off: offline, not woken" grep -q "^  off   host Backup1 .*offline" "$OUT"
check "Backup2 answers SNTP" grep -q "^  ok    time Backup2 .*answers SNTP" "$OUT"
check "the live endpoint got the test message" grep -q "^/office NightShift test message" "$LAB_DIR/http.log"
check "the dead endpoint fails, named" grep -q "^  FAIL  ntfy .*10.66.1.1:9/" "$OUT"
check "the summary names the failures" grep -q "^Summary: .* 2 failed (ssh Work2, ntfy " "$OUT"
check "nobody was woken" test "$(count_events WAKE)" = 0
check "nobody was switched off" test "$(count_events POWER-REQUEST)" = 0
check "Backup1 is still off" test "$(state_of Backup1)" = off
check "no state was written" test ! -e "$LAB_DIR/live-state"
kill "$SERVER" 2>/dev/null
finish
