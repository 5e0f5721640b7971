#!/bin/bash
# A Windows workstation asleep with ARP offload (Work3: the lab's firewalled Windows
# PC; suspended, it keeps its address and drops all IPv4, so only its "NIC" answers
# ARP) must not hold the backups: "auto" sees it by ARP alone, asks its NetBIOS
# node status, gets no answer and counts it asleep, so the night runs. On behind
# its firewall (ARP, and NetBIOS from nmbd), the same PC holds the night.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --on Work3 --firewall Work3

W=10.66.1.30
ping_word() { "$NIGHTSHIFT_BIN" ping --script "$OFFICE" Work3 | awk '{print $2}'; }

# 1. On behind its firewall: ARP and NetBIOS answer, the night waits.
export LAB_FORCE_WINDOW=$(window_not_now)
check "Work3 is on" test "$(state_of Work3)" = on
check "nightshift ping --script: Work3 up" test "$(ping_word)" = up
run_night
check "on: night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "on: the log has Work3 online by ARP and NetBIOS" grep -Eq "Work3 +$W +online .*\(arp\+netbios\)" "$NS_LOG"
check "on: no backup (no magic packet, nothing copied)" test "$(count_events WAKE)/$(file_count "$DST_SERVER")" = 0/0
check "on: the NAS does not sleep" test "$(count_events NAS-SLEEP Server)" = 0

# 2. Suspended with ARP offload: ARP answers, nothing else does; the night runs.
ctl Work3 off suspended >/dev/null
check "Work3 is suspended" test "$(power_of Work3)" = suspended
check "the sleep was logged with ARP offload" test "$(events OFF Work3 | grep -c ARP-OFFLOAD)" = 1
check_not "asleep: Work3 answers no ping" pingable "$W"
check "asleep: its NIC still answers ARP (nightshift ping --arp: up)" \
    test "$("$NIGHTSHIFT_BIN" ping --arp --timeout 0.5 --via 10.66.1.3 "$W" | awk '{print $2}')" = up
check "asleep: nightshift ping --script says asleep" test "$(ping_word)" = asleep
check "asleep: and why" sh -c "'$NIGHTSHIFT_BIN' ping --script '$OFFICE' Work3 | grep -q 'answers ARP only, no NetBIOS answer: asleep with ARP offload?'"
run_night
check "asleep: night exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "asleep: the log counts Work3 offline, asleep" grep -Eq "Work3 +$W +offline \(asleep\?\)" "$NS_LOG"
check "asleep: the log says why" grep -q "Work3 answers ARP only, no NetBIOS answer: asleep with ARP offload? Counted offline" "$NS_LOG"
check "asleep: both jobs ran ok" test "$(job_result Backup1ZuBackup2)/$(job_result ServerZuBackup1)" = ok/ok
check "asleep: files identical on Backup1" same_tree "$SRC_SERVER" "$DST_SERVER"
check "asleep: the NAS goes to sleep after the night" test "$(events NAS-SLEEP Server | grep -c hibernate)" = 1
check "Work3 never woken nor contacted over ssh" test "$(count_events WAKE Work3)/$(count_events SSH Work3)" = 0/0
finish
