#!/bin/bash
# A workstation stays on (a user is logged in on Work2): no backup outside the
# force window; inside it the backup runs once, and not again after a restart;
# the NAS does not go to sleep while Work2 is on.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --login Work2

export LAB_FORCE_WINDOW=$(window_not_now)
run_night
check "outside the window: night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "outside the window: no backup (no magic packet, nothing copied)" test "$(count_events WAKE)/$(file_count "$DST_SERVER")" = 0/0
check "history: a skipped cycle" test "$(history_count 'r.get("type")=="cycle" and not r.get("ran")')" = 1

export LAB_FORCE_WINDOW=$(window_around_now)
echo "  .. force window now: $LAB_FORCE_WINDOW"
run_night
check "in the window: night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "in the window: both jobs ran ok" test "$(job_result Backup1ZuBackup2)/$(job_result ServerZuBackup1)" = ok/ok
check "files identical on Backup1" same_tree "$SRC_SERVER" "$DST_SERVER"
check "  ... and from Backup2" same_tree "$SRC_B2" "$DST_B2"
check "Work2 still on, never switched off" test "$(state_of Work2)/$(count_events POWER-REQUEST Work2)" = on/0
check "the NAS does not sleep (Work2 is on)" test "$(count_events NAS-SLEEP Server)" = 0
check "the targets are switched off as configured" test "$(power_of Backup1)/$(power_of Backup2)" = suspended/off
wakes=$(count_events WAKE)

run_night   # a restart, same window
check "restart in the same window: exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "restart: no second backup (no new magic packet)" test "$(count_events WAKE)" = "$wakes"
check "history: each job ran exactly once" test "$(history_count 'r.get("type")=="job" and r.get("name")=="ServerZuBackup1"')/$(history_count 'r.get("type")=="job" and r.get("name")=="Backup1ZuBackup2"')" = 1/1
check "history: one backup cycle, two skipped" test "$(history_count 'r.get("type")=="cycle" and r.get("ran")')/$(history_count 'r.get("type")=="cycle" and not r.get("ran")')" = 1/2
check "the NAS still does not sleep" test "$(count_events NAS-SLEEP Server)" = 0
finish
