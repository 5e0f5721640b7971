#!/bin/bash
# Somebody is using Backup1 when the night starts: nobody wakes it, the jobs
# use it, and it is left on (it was up at the sweep before the night).
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --login Backup1

export LAB_FORCE_WINDOW=$(window_around_now)
run_night
check "night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "Backup1 woken by nobody (no magic packet reached it)" test "$(count_events WAKE Backup1)$(count_events WAKE-IGNORED Backup1)" = 00
check "Backup2 woken" test "$(count_events WAKE Backup2)" -ge 1
check "Backup1 used: Server files identical on it" same_tree "$SRC_SERVER" "$DST_SERVER"
check "Backup1 used: Backup2 files identical on it" same_tree "$SRC_B2" "$DST_B2"
check "Backup1 left on: never asked to power off or sleep" test "$(count_events POWER-REQUEST Backup1)" = 0
check "Backup1 still on, user still there" test "$(state_of Backup1)/$(ctl --field in_use Backup1 status)" = on/True
check "Backup2 (woken for its job) shut down again" test "$(power_of Backup2)" = off
check "the NAS does not sleep while Backup1 is on" test "$(count_events NAS-SLEEP Server)" = 0
finish
