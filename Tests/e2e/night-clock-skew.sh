#!/bin/bash
# Backup1's clock is 2 hours fast: after the night it is within 1 s of its time
# source's (Backup2 for the first job, the NAS for the second).
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --clock Backup1=7200

check "before: Backup1's clock is 2 h off" fcmp "abs($(cat "$LAB_DIR/machines/Backup1/clock_offset") - 7200) < 0.01"
export LAB_FORCE_WINDOW=$(window_not_now)
run_night
check "night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "Backup1's clock was set over ssh (date -s)" test "$(events CLOCK Backup1 | grep -c 'via date -s')" -ge 1
o1=$(cat "$LAB_DIR/machines/Backup1/clock_offset")
o2=$(cat "$LAB_DIR/machines/Backup2/clock_offset")
echo "  .. clock offsets after the night: Backup1 $o1 s, Backup2 $o2 s, NAS 0"
check "Backup1 within 1 s of Backup2 (its time source)" fcmp "abs($o1 - $o2) < 1.0"
check "Backup1 within 1 s of the NAS" fcmp "abs($o1) < 1.0"
# ask the machines themselves, over SNTP, the way a client would
ctl Backup1 on; ctl Backup2 on
s1=$("$LAB" sntp "$LAB_IP_Backup1"); s2=$("$LAB" sntp "$LAB_IP_Backup2")
echo "  .. SNTP offsets against the NAS: Backup1 $s1 s, Backup2 $s2 s"
check "SNTP: Backup1's clock within 1 s of Backup2's" fcmp "abs($s1 - $s2) < 1.0"
check "the NAS's own clock was not touched" test "$(count_events CLOCK Server)" = 0
# never a good clock made worse: measured first, residual measured and recorded
log="$LAB_DIR/nightshift/BackupLog.txt"
check "the sync was measured first (was ... off)" grep -q "Setting the clock of Backup1 from Backup2 (epoch [0-9.]*, was +7[0-9][0-9][0-9]\.[0-9]* s off)" "$log"
check "the residual offset after the sync is logged" grep -q "Clock of Backup1 after the sync: [-+]0\.[0-9]* s from" "$log"
r=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hosts"]["Backup1"]["clock_offset"])' "$LAB_DIR/nightshift/state/state.json")
echo "  .. residual recorded in state.json: $r s"
check "the residual is recorded in state.json and small" fcmp "abs($r) < 0.5"
finish
