#!/bin/bash
# Backup2 never wakes up: its job fails with a clear reason and the failure
# report appears in the NAS share; the other job runs.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --refuse-wake Backup2

export LAB_FORCE_WINDOW=$(window_not_now) LAB_WAKE_TIMEOUT=8s
run_night
check "night exits 1: a job failed (got $NIGHT_RC)" test "$NIGHT_RC" = 1
check "Backup2 got the magic packets and ignored them" test "$(count_events WAKE-IGNORED Backup2)" -ge 1 -a "$(state_of Backup2)" = off
check "Backup1ZuBackup2 failed" test "$(job_result Backup1ZuBackup2)" = failed
reason=$(job_reason Backup1ZuBackup2)
echo "  .. reason: $reason"
check "the reason names Backup2 and the wake timeout" eval '[[ "$reason" == *Backup2*"did not come up"* ]]'
report="$REPORT_DIR/Backup Job Backup1ZuBackup2 failed.txt"
check "failure report in the NAS share root" test -s "$report"
check "the report holds the night's log and the reason" grep -q "did not come up" "$report"
check "nothing copied from Backup2" test "$(file_count "$DST_B2")" = 0
check "ServerZuBackup1 ran ok" test "$(job_result ServerZuBackup1)" = ok
check "  ... files identical on Backup1" same_tree "$SRC_SERVER" "$DST_SERVER"
check "Backup1 suspended after the last job" test "$(power_of Backup1)" = suspended
check "history: the failed job is recorded" test "$(history_count 'r.get("type")=="job" and r.get("result")=="failed"')" = 1
finish
