#!/bin/bash
# Everyone is offline: both jobs run, the files on the targets are identical to
# the sources, the targets are switched off as configured (Backup2 shut down
# after its job, Backup1 suspended after the last one), the NAS goes to sleep.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab

export LAB_FORCE_WINDOW=$(window_not_now)
run_night
check "night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "Backup1 woken by a magic packet" test "$(count_events WAKE Backup1)" -ge 1
check "Backup2 woken by a magic packet" test "$(count_events WAKE Backup2)" -ge 1
for w in Work1 Work2 Work3 Work4; do
    check "$w never woken, never contacted" test "$(count_events WAKE $w)$(count_events SSH $w)" = 00
done
check "Server share -> Backup1: identical ($(file_count "$DST_SERVER") of $(file_count "$SRC_SERVER") files)" same_tree "$SRC_SERVER" "$DST_SERVER"
check "Backup2 share -> Backup1: identical ($(file_count "$DST_B2") of $(file_count "$SRC_B2") files)" same_tree "$SRC_B2" "$DST_B2"
check "file counts: 300 and 200" test "$(file_count "$DST_SERVER")/$(file_count "$DST_B2")" = 300/200
check "Backup2 shut down over ssh (systemctl poweroff)" test "$(events POWER-REQUEST Backup2 | grep -c 'poweroff via ssh')" = 1
check "Backup1 suspended over ssh, and only that (it stayed on between the jobs)" \
    test "$(events POWER-REQUEST Backup1 | grep -c suspend)/$(count_events POWER-REQUEST Backup1)" = 1/1
check "Backup1 ends suspended" test "$(power_of Backup1)" = suspended
check "Backup2 ends off" test "$(power_of Backup2)" = off
check "every machine is dark" test "$(for m in $LAB_MACHINES; do state_of $m; done | sort -u)" = off
check "the NAS goes to sleep (hibernate) after the night" test "$(events NAS-SLEEP Server | grep -c hibernate)" = 1
check "NAS sleeps only after both targets are down" fcmp "$(last_event_time NAS-SLEEP Server) > $(last_event_time OFF Backup1)"
check "state.json: both jobs ok" test "$(job_result Backup1ZuBackup2)/$(job_result ServerZuBackup1)" = ok/ok
check "history: one backup cycle, two ok jobs" test "$(history_count 'r.get("type")=="cycle" and r.get("ran")')/$(history_count 'r.get("type")=="job" and r.get("result")=="ok"')" = 1/2
check "BackupLog.txt written" test -s "$NS_LOG"
check "no failure report" test -z "$(ls "$REPORT_DIR" | grep -i 'failed')"
finish
