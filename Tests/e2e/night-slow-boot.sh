#!/bin/bash
# Backup1 takes 20 s to boot: NightShift waits for it (no fixed sleep), and the
# job starts within 2 s of Backup1 answering.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --boot-delay Backup1=20

export LAB_FORCE_WINDOW=$(window_not_now)
run_night
check "night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
tw=$(first_event_time WAKE Backup1)
ta=$(first_event_time ANSWERING Backup1)
ts=$(awk -v t="$ta" '$3 == "Backup1" && $4 == "SSH" && $1 >= t {print $1; exit}' "$LAB_DIR/events.log")
echo "  .. Backup1: magic packet $tw, answering $ta, first job command over ssh $ts"
check "Backup1 really took ~20 s to boot" fcmp "19.5 <= $ta - $tw <= 22"
check "the job reached Backup1 within 2 s of it answering ($(fsub "$ts" "$ta") s)" fcmp "0 <= $ts - $ta < 2.0"
check "both jobs ok" test "$(job_result Backup1ZuBackup2)/$(job_result ServerZuBackup1)" = ok/ok
check "files identical" same_tree "$SRC_SERVER" "$DST_SERVER"
finish
