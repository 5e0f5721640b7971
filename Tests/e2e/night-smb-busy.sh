#!/bin/bash
# An open SMB session keeps the NAS awake after the night. The lab NAS runs a real
# smbd (scripts/lab/bin/nas-smbd: its own smb.conf and folders, on the lab's NICs only);
# a laptop office.lua does not know (so nobody watches it) holds a file of the share open
# with a real smbclient. The daemon's night backs up, then the NAS stays up and the log
# names `smb`, at the next check too; at the first check after the laptop closes the file
# the NAS hibernates, once.
. "$(dirname "$0")/lib.sh"
need_nightshift
if ! PATH="$PATH:/usr/sbin" command -v smbd >/dev/null || ! command -v smbclient >/dev/null; then
    echo "SKIP: $TEST_NAME: needs Samba (apt-get install samba smbclient)"
    exit 77
fi
in_lab --machine "Laptop 10.66.1.60 02:66:01:00:00:3c 2 1" --on Laptop

NAS_SMBD="$LAB_HOME/bin/nas-smbd"
smbd_pid=$("$NAS_SMBD" start)
check "the NAS's smbd listens on 10.66.1.2:445 (pid $smbd_pid)" test -n "$smbd_pid"
SMB_CONF=$("$NAS_SMBD" conf)

# smbstatus's JSON on the NAS -> how many sessions / open files
smb_count() {
    smbstatus --configfile="$SMB_CONF" --json 2>/dev/null |
        "$LAB_PY" -c 'import json,sys; print(len(json.load(sys.stdin).get(sys.argv[1]) or {}))' "$1" 2>/dev/null
}

# The laptop: smbclient opens the file on the NAS, then blocks opening the FIFO it
# writes to until somebody reads it - the file stays open that long.
FIFO="$LAB_DIR/machines/Laptop/home/hold.fifo"
mkfifo "$FIFO"
FILE=$(cd "$SRC_SERVER" && find . -type f | sed 's,^\./,,' | sort | head -n 1)
lab_ssh Laptop "smbclient //10.66.1.2/daten -A $LAB_DIR/samba/client.auth -c 'get \"$FILE\" $FIFO'" \
    >"$LAB_DIR/smbclient.out" 2>&1 &
client=$!
check "the laptop holds $FILE open (smbstatus: 1 session, 1 open file)" \
    wait_for 30 '[ "$(smb_count sessions)/$(smb_count open_files)" = 1/1 ]'

export LAB_FORCE_WINDOW=$(window_not_now) LAB_CHECK_EVERY=5s
out="$LAB_DIR/daemon.out"
echo "  .. nightshift run office.lua (the daemon, a check every 5 s)"
"$NIGHTSHIFT_BIN" run "$OFFICE" >"$out" 2>&1 &
daemon=$!
busy_lines() { local n; n=$(grep -c "Not going to hibernate: this machine is busy: smb" "$NS_LOG" 2>/dev/null); echo "${n:-0}"; }
check "the night ends with the NAS busy: smb" wait_for 180 '[ "$(busy_lines)" -ge 1 ]'
check "  ... after both jobs ran ok" test "$(job_result Backup1ZuBackup2)/$(job_result ServerZuBackup1)" = ok/ok
check "  ... the targets are switched off" test "$(power_of Backup1)/$(power_of Backup2)" = suspended/off
check "the log names the laptop's session and the file" \
    grep -qF "smb: 1 SMB session (root@10.66.1.60), 1 open file ($SRC_SERVER/$FILE)" "$NS_LOG"
check "the next check tries again: still busy" wait_for 30 '[ "$(busy_lines)" -ge 2 ]'
check "  ... the sleep is pending" grep -q "Sleep pending since" "$NS_LOG"
check "the NAS did not sleep while the file was open" test "$(count_events NAS-SLEEP Server)" = 0

echo "  .. the laptop closes the file"
closed_at=$EPOCHREALTIME
check "smbclient still holds the file before the close" kill -0 "$client"
timeout 30 ssh -F "$LAB_SSH_CONFIG" Laptop "cat $FIFO >/dev/null"
wait "$client"
client_rc=$?
check "smbclient got the file and ended (exit $client_rc)" grep -q "getting file" "$LAB_DIR/smbclient.out"
check "smbstatus: no session left" wait_for 15 '[ "$(smb_count sessions)" = 0 ]'
check "the NAS hibernates at the next check" wait_for 45 '[ "$(count_events NAS-SLEEP Server)" = 1 ]'
slept_after=$(fsub "$(last_event_time NAS-SLEEP Server)" "$closed_at")
# a check every 5 s, plus its sweep of seven sleeping machines (probe timeouts) on busy cores
check "  ... ${slept_after}s after the close" fcmp "0 < $slept_after < 30"
sleep_cycle() { grep -E "Decision:|goes to hibernate" "$NS_LOG" | grep -B1 "goes to hibernate" | head -n 1; }
check "  ... in a cycle that did not back up ($(sleep_cycle | sed 's/.*Decision: //'))" \
    grep -q "Decision: no backup" <<<"$(sleep_cycle)"
check "  ... one backup night in all" test "$(history_count 'r.get("type")=="cycle" and r.get("ran")')" = 1
decisions() { local n; n=$(grep -c "Decision:" "$NS_LOG" 2>/dev/null); echo "${n:-0}"; }
seen=$(decisions)
check "one more check" wait_for 30 '[ "$(decisions)" -gt "$seen" ]'
check "  ... no second sleep: nothing is pending any more" test "$(count_events NAS-SLEEP Server)" = 1
kill -TERM "$daemon"
wait "$daemon"
rc=$?
check "the daemon stops on SIGTERM (exit $rc)" test "$rc" = 143 -o "$rc" = 0
check "state.json: no sleep pending" json_find "$STATE_JSON" '"sleep_pending" not in d'
"$NAS_SMBD" stop
check "smbd stopped" test -z "$(nas_pgrep '^smbd')"
finish
