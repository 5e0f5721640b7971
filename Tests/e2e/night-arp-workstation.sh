#!/bin/bash
# A Windows workstation that drops ping, every TCP port and all UDP but NetBIOS
# names (Work3, --firewall: nft in its namespace, nmbd while on) but is on: only
# ARP and NetBIOS show it. The hosts' default probe "auto" adds ARP for on-link
# addresses and asks an ARP-only host for its NetBIOS node status, so the backup
# does not start outside the force window and the NAS stays awake. With Work3
# off, the night runs.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --on Work3 --firewall Work3

check "Work3 is on" test "$(state_of Work3)" = on
check_not "Work3 drops ping" pingable 10.66.1.30
check "nightshift ping (ICMP): Work3 down" test "$("$NIGHTSHIFT_BIN" ping --timeout 0.5 --via 10.66.1.3 10.66.1.30 | awk '{print $2}')" = down
check "nightshift ping --arp: Work3 up" test "$("$NIGHTSHIFT_BIN" ping --arp --timeout 0.5 --via 10.66.1.3 10.66.1.30 | awk '{print $2}')" = up
check "nightshift ping --script: Work3 up by arp, confirmed by NetBIOS" \
    sh -c "'$NIGHTSHIFT_BIN' ping --script '$OFFICE' Work3 | grep -q '^Work3 up 10.66.1.30 .*(arp+netbios)'"

export LAB_FORCE_WINDOW=$(window_not_now)
run_night
check "Work3 on: night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "Work3 on: the log has Work3 online by ARP and NetBIOS" grep -Eq 'Work3 +10.66.1.30 +online .*\(arp\+netbios\)' "$NS_LOG"
check "Work3 on: no backup (no magic packet, nothing copied)" test "$(count_events WAKE)/$(file_count "$DST_SERVER")" = 0/0
check "Work3 on: the NAS does not sleep" test "$(count_events NAS-SLEEP Server)" = 0
check "Work3 never contacted over ssh" test "$(count_events SSH Work3)" = 0

ctl Work3 off off >/dev/null
check "Work3 is off" test "$(state_of Work3)" = off
run_night
check "Work3 off: night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "Work3 off: both jobs ran ok" test "$(job_result Backup1ZuBackup2)/$(job_result ServerZuBackup1)" = ok/ok
check "Work3 off: files identical on Backup1" same_tree "$SRC_SERVER" "$DST_SERVER"
check "Work3 off: the NAS goes to sleep after the night" test "$(events NAS-SLEEP Server | grep -c hibernate)" = 1
finish
