#!/bin/bash
# SIGTERM in the middle of a copy: rsync is gone, the state says "interrupted",
# and the next run completes the night.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --data-kb 24

export LAB_FORCE_WINDOW=$(window_not_now)
export LAB_RSYNC_BWLIMIT=400   # KiB/s: the copies take several seconds
out="$LAB_DIR/night-interrupted.out"
"$NIGHTSHIFT_BIN" run "$OFFICE" --once >"$out" 2>&1 &
nspid=$!
check "a copy is running" wait_for 60 '[ -n "$(pgrep -f "rsync .*--bwlimit")" ]'
sleep 1.5
echo "  .. rsync running: $(pgrep -f 'rsync .*--bwlimit' | wc -l) processes; sending SIGTERM to nightshift ($nspid)"
kill -TERM "$nspid"
wait "$nspid"
rc=$?
check "nightshift exits 143 after SIGTERM (got $rc)" test "$rc" = 143
check "no rsync left (NAS and machines) within 3 s" wait_for 3 '[ -z "$(pgrep -f rsync)" ]'
check "no ssh left" test -z "$(pgrep -x ssh)"
check "state.json says interrupted" json_find "$STATE_JSON" 'has("interrupted")'
check "history says interrupted" json_find "$HISTORY" 'has("interrupted")'
check "the copy was really cut short" test "$(file_count "$DST_SERVER")/$(file_count "$DST_B2")" != "$(file_count "$SRC_SERVER")/$(file_count "$SRC_B2")"

unset LAB_RSYNC_BWLIMIT
run_night
check "the next run completes: exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "both jobs ok" test "$(job_result Backup1ZuBackup2)/$(job_result ServerZuBackup1)" = ok/ok
check "files identical on Backup1" same_tree "$SRC_SERVER" "$DST_SERVER"
check "  ... and from Backup2" same_tree "$SRC_B2" "$DST_B2"
check "targets switched off at the end" test "$(power_of Backup1)/$(power_of Backup2)" = suspended/off
check "the NAS sleeps after the completed night" test "$(count_events NAS-SLEEP Server)" = 1
finish
