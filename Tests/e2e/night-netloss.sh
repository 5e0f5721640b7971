#!/bin/bash
# Backup1 loses its network in the middle of the NAS's copy: the job fails with
# a reason and a failure report instead of hanging, no rsync is left behind on
# the NAS, and Backup1 - whose state NightShift cannot know - is not switched off.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --data-kb 24

export LAB_FORCE_WINDOW=$(window_not_now) LAB_OFF_TIMEOUT=10s
export LAB_RSYNC_BWLIMIT=500
out="$LAB_DIR/night-netloss.out"
"$NIGHTSHIFT_BIN" run "$OFFICE" --once >"$out" 2>&1 &
nspid=$!
# the second job (NAS -> Backup1) copies from the NAS: its rsync runs here
check "the NAS's copy to Backup1 is running" wait_for 90 '[ -n "$(pgrep -f "^rsync .*Server/share/Daten")" ]'
sleep 1
ctl Backup1 netloss 22
echo "  .. Backup1's link is down for 22 s (longer than the copy's and the in_use check's timeouts)"
wait "$nspid"
NIGHT_RC=$?
echo "  .. night ended with exit code $NIGHT_RC"
check "night exits 1: a job failed (got $NIGHT_RC)" test "$NIGHT_RC" = 1
check "ServerZuBackup1 failed" test "$(job_result ServerZuBackup1)" = failed
echo "  .. reason: $(job_reason ServerZuBackup1)"
check "the failure has a reason" test -n "$(job_reason ServerZuBackup1)"
check "Backup1ZuBackup2 (before the loss) was ok" test "$(job_result Backup1ZuBackup2)" = ok
check "failure report in the NAS share" test -s "$REPORT_DIR/Backup Job ServerZuBackup1 failed.txt"
check "no rsync left on the NAS" test -z "$(nas_pgrep rsync)"
check "the copy is incomplete (no false success)" test "$(file_count "$DST_SERVER")" -lt "$(file_count "$SRC_SERVER")"
check "NightShift left Backup1 on: it could not tell whether somebody uses it" grep -q "Leaving Backup1 on" "$NS_LOG"
check "Backup1 not switched off (no power request reached it)" test "$(count_events POWER-REQUEST Backup1)" = 0
check "Backup1 is still on once its network is back" wait_for 25 '[ "$(state_of Backup1)/$(ctl --field netloss Backup1 status)" = on/False ]'
finish
