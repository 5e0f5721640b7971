#!/bin/bash
# The lab itself, without NightShift: machines that are off ignore ICMP/TCP,
# wake on a real magic packet from the NIC facing them, answer ping/ssh/SNTP
# when on, switch off over a real ssh session, keep a simulated clock, copy
# real files with rsync, lose their network on request; and the lab leaves
# nothing behind (also after SIGTERM and SIGKILL).
. "$(dirname "$0")/lib.sh"

if [ -z "${LAB_DIR:-}" ]; then
    # ---------------------------------------------------------- outside
    rec=$(mktemp)
    "$LAB" run --quiet --record "$rec" --boot-delay Backup1=1.5 --secureon Work1=11:22:33:44:55:66 -- "$0"
    rc=$?
    [ "$rc" = 77 ] && { rm -f "$rec"; exit 77; }
    echo "outside the lab:"
    # The office's machines (scripts/lab/office.machines), the last one started last.
    machines=$(awk '$1 !~ /^#/ && NF {print $1}' "$REPO/scripts/lab/office.machines")
    n_machines=$(wc -w <<<"$machines")
    last_machine=$(tail -n 1 <<<"$machines")
    leftover() { # namespaces recorded by the lab still used by a process?
        "$LAB_PY" - "$1" <<'PY'
import os, sys
want = {l.strip() for l in open(sys.argv[1]) if l.strip()}
hits = []
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            if os.readlink("/proc/%s/ns/net" % d) in want:
                hits.append(d)
        except OSError:
            pass
if hits:
    print("    processes still in lab namespaces: " + " ".join(hits))
sys.exit(0 if hits else 1)
PY
    }
    check "lab recorded its $((n_machines + 1)) namespaces (NAS + $n_machines machines)" test "$(grep -c . "$rec")" = $((n_machines + 1))
    check_not "no process left in any lab namespace after a normal end" leftover "$rec"

    # SIGTERM in the middle: exit 143, nothing left
    : >"$rec"
    d1=$(mktemp -d /tmp/nslab-selftest.XXXXXX)
    "$LAB" run --quiet --dir "$d1" --record "$rec" -- bash -c 'touch "$LAB_DIR/started"; exec sleep 300' &
    lpid=$!
    check "lab up (for the SIGTERM check)" wait_for 60 '[ -e "$d1/started" ]'
    kill -TERM "$lpid"
    wait "$lpid"
    trc=$?
    check "lab ends with 143 after SIGTERM (got $trc)" test "$trc" = 143
    check_not "no process left in lab namespaces after SIGTERM" leftover "$rec"

    # SIGKILL of the lab command: the pid namespace dies with it
    d2=$(mktemp -d /tmp/nslab-selftest.XXXXXX)
    "$LAB" run --quiet --dir "$d2" -- sleep 300 &
    lpid=$!
    check "lab up (for the SIGKILL check)" wait_for 60 '[ -e "$d2/machines/$last_machine/agent.ready" ]'
    agents=$(pgrep -f "agent.py run --lab $d2 " | tr '\n' ' ')
    check "$n_machines agents running" test "$(echo $agents | wc -w)" = "$n_machines"
    kill -KILL "$lpid"
    wait "$lpid" 2>/dev/null
    gone() { local p; for p in $agents; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
    check "agents and their namespaces gone within 3 s after SIGKILL of the lab" wait_for 3 gone
    rm -rf "$d1" "$d2"
    rm -f "$rec"
    [ "$rc" = 0 ] || { echo "(checks inside the lab failed)"; FAILED=$((FAILED + 1)); }
    finish
fi

# ------------------------------------------------------------- inside the lab
echo "inside the lab ($LAB_DIR):"
B1=$LAB_IP_Backup1
B2=$LAB_IP_Backup2

check "no route out of the lab (default route absent)" test -z "$(ip route show default)"
check "NAS has its four NICs 10.66.1.1-4" test "$(ip -o -4 addr show | grep -c ' 10\.66\.1\.[1-4]/32')" = 4
for m in $LAB_MACHINES; do
    ipv=LAB_IP_$m
    check_not "$m is off: no ping answer" pingable "${!ipv}"
done
check "off machine ignores TCP (port 22 times out, not refused)" test "$(tcp_state "$B1" 22)" = timeout
check "off machine ignores SNTP" test -z "$("$LAB" sntp "$B1" --timeout 1 2>/dev/null)"

# wrong MAC / wrong NIC / right one
"$LAB" wol 02:66:01:00:00:99 --via "$LAB_VIA_Backup1"
"$LAB" wol "$LAB_MAC_Backup1" --via 10.66.1.2     # NIC lan2 faces Work2 only
sleep 0.5
check "magic packet for another MAC or from a NIC not facing it: no wake" test "$(count_events WAKE Backup1)" = 0
t0=$("$LAB_PY" -c 'import time; print(time.time())')
"$LAB" wol "$LAB_MAC_Backup1" --via "$LAB_VIA_Backup1"
check "magic packet from the facing NIC: WAKE logged" wait_for 2 '[ "$(count_events WAKE Backup1)" = 1 ]'
check_not "still booting right after the packet: no ping" pingable "$B1"
check "answers ping after its boot delay" wait_for 5 'pingable $B1'
ta=$(first_event_time ANSWERING Backup1)
check "boot took the configured 1.5 s (wake->answering $(fsub "$ta" "$t0") s)" fcmp "1.4 <= $ta - $t0 <= 2.5"
check "TCP 22 open when on" test "$(tcp_state "$B1" 22)" = open
check "ssh with the lab key works" test "$(lab_ssh Backup1 'echo hello from $LAB_MACHINE')" = "hello from Backup1"
ssh-keygen -q -t ed25519 -N '' -f "$LAB_DIR/otherkey" </dev/null
check_not "ssh with another key is refused" ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o IdentityAgent=none -i "$LAB_DIR/otherkey" root@"$B1" true 2>/dev/null

# clock
off=$("$LAB" sntp "$B1")
check "SNTP answers with the right time (offset $off)" fcmp "abs($off) < 0.1"
if command -v ntpdig >/dev/null; then
    o2=$(ntpdig -t 2 "$B1" 2>/dev/null | awk '{print $4}')
    check "an independent SNTP client (ntpdig) agrees (offset $o2)" fcmp "abs(float('$o2')) < 0.1"
fi
ctl Backup1 clock-offset 7200
off=$("$LAB" sntp "$B1")
check "clock 2 h ahead: SNTP offset $off" fcmp "abs($off - 7200) < 0.1"
rd=$(lab_ssh Backup1 date +%s)
check "date over ssh shows the skewed clock" fcmp "abs($rd - $(date +%s) - 7200) <= 2"
now=$EPOCHREALTIME
lab_ssh Backup1 date -s "@$now" >/dev/null
off=$("$LAB" sntp "$B1")
check "date -s @EPOCH over ssh sets the clock back (offset $off)" fcmp "abs($off) < 1.2"
check "CLOCK event logged for date -s" test "$(events CLOCK Backup1 | grep -c 'via date -s')" = 1

# in use
check_not "in-use: nobody logged in -> exit 1" lab_ssh Backup1 in-use
ctl Backup1 login
check "in-use after login -> exit 0" lab_ssh Backup1 in-use
check "who lists the user" test -n "$(lab_ssh Backup1 who)"
ctl Backup1 logout

# rsync over ssh, NAS -> Backup1
rsync -a --delete -e "ssh -F $LAB_SSH_CONFIG" "$LAB_DIR/machines/Server/share/Daten/" "root@$B1:$LAB_DIR/machines/Backup1/share/Server/"
check "rsync NAS -> Backup1 over ssh: identical trees ($(file_count "$LAB_DIR/machines/Backup1/share/Server") files)" \
    same_tree "$LAB_DIR/machines/Server/share/Daten" "$LAB_DIR/machines/Backup1/share/Server"
check "the share has a few hundred real files" test "$(file_count "$LAB_DIR/machines/Server/share/Daten")" -ge 200

# Backup1 pulls from Backup2 (machine to machine, through the NAS)
check_not "rsync from Backup2 while it is off fails" lab_ssh Backup1 rsync -a "root@$B2:$LAB_DIR/machines/Backup2/share/Projekte/" "$LAB_DIR/machines/Backup1/share/Backup2/" 2>/dev/null
ctl Backup2 on
check "Backup2 switched on by hand answers" pingable "$B2"
check "Backup1 pulls Backup2's share over ssh" lab_ssh Backup1 rsync -a --delete "root@$B2:$LAB_DIR/machines/Backup2/share/Projekte/" "$LAB_DIR/machines/Backup1/share/Backup2/"
check "  ... identical" same_tree "$LAB_DIR/machines/Backup2/share/Projekte" "$LAB_DIR/machines/Backup1/share/Backup2"

# suspend and resume by magic packet
lab_ssh Backup2 systemctl suspend
check "systemctl suspend over ssh: ssh returned 0" test $? = 0
check "Backup2 suspended within 2 s" wait_for 2 '[ "$(power_of Backup2)" = suspended ]'
check_not "suspended: no ping" pingable "$B2"
"$LAB" wol "$LAB_MAC_Backup2" --via "$LAB_VIA_Backup2"
check "magic packet resumes it" wait_for 6 'pingable $B2'

# network loss
ctl Backup2 netloss
check_not "netloss: no ping" pingable "$B2"
check_not "netloss: ssh fails" lab_ssh -o ConnectTimeout=2 Backup2 true 2>/dev/null
ctl Backup2 netback
check "netback: ping again" wait_for 5 'pingable $B2'

# refuse-wake
lab_ssh Backup2 systemctl poweroff
wait_for 3 '[ "$(state_of Backup2)" = off ]'
ctl Backup2 refuse-wake on
"$LAB" wol "$LAB_MAC_Backup2" --via "$LAB_VIA_Backup2"
sleep 3
check "refuse-wake: magic packet ignored (WAKE-IGNORED logged, still off)" test "$(state_of Backup2)" = off -a "$(count_events WAKE-IGNORED Backup2)" -ge 1

# poweroff over ssh
t0=$("$LAB_PY" -c 'import time; print(time.time())')
lab_ssh Backup1 systemctl poweroff
prc=$?
check "systemctl poweroff over ssh returns 0" test "$prc" = 0
check "Backup1 is off within 2 s" wait_for 2 '[ "$(state_of Backup1)" = off ]'
check_not "after poweroff: no ping" pingable "$B1"
check "after poweroff: TCP 22 times out" test "$(tcp_state "$B1" 22)" = timeout
check "no sshd left running on Backup1" test -z "$(pgrep -f "sshd .*machines/Backup1/")"

# the NAS's own wrappers
"$LAB_HOME/bin/nas-hibernate"
check "nas-hibernate is recorded, the NAS stays up" test "$(count_events NAS-SLEEP Server)" = 1 -a "$(cat "$LAB_DIR/machines/Server/power")" = hibernated
"$LAB_HOME/bin/nas-date" -s "@$(( $(date +%s) + 60 ))" >/dev/null
check "nas-date -s sets the NAS's simulated clock only" fcmp "abs($(cat "$LAB_DIR/machines/Server/clock_offset") - 60) < 1.5"
check "nas-date prints the simulated time" fcmp "abs($("$LAB_HOME/bin/nas-date" +%s) - $(date +%s) - 60) <= 2"

# SecureOn: Work1 wants a password with its magic packet
"$LAB" wol "$LAB_MAC_Work1" --via "$LAB_VIA_Work1"
check "SecureOn: a magic packet without the password is ignored" wait_for 2 '[ "$(events WAKE-IGNORED Work1 | grep -c SecureOn)" -ge 1 ]'
"$LAB" wol "$LAB_MAC_Work1" --via "$LAB_VIA_Work1" --password 11:22:33:44:55:66
check "SecureOn: with the password it wakes" wait_for 4 'pingable $LAB_IP_Work1'

# the Windows machine: its sshd answers like Windows' OpenSSH server with cmd.exe
# Like Windows' OpenSSH service, its sshd starts a few seconds after it answers (ssh-delay).
ctl WinPC on
W=$LAB_IP_WinPC
check "WinPC on by hand answers ping" pingable "$W"
check "WinPC's ssh port refuses while its sshd is not started yet" test "$(tcp_state "$W" 22)" = refused
winpc_ssh_up() { wait_for 15 '[ "$(tcp_state "$W" 22)" = open ]'; }
check "WinPC's sshd accepts connections a few seconds later (SSH-UP)" winpc_ssh_up
check "the ANSWERING and SSH-UP events say so" test "$(events ANSWERING WinPC | grep -c 'ssh in 4s')/$(count_events SSH-UP WinPC)" = 1/1
qu=$(lab_ssh WinPC query user 2>&1); qrc=$?
check "WinPC: query user with nobody -> exit 1, 'No User exists for *'" test "$qrc/$(tr -d '\r' <<<"$qu")" = "1/No User exists for *"
ctl WinPC login
winpc_lists_user() { lab_ssh WinPC query user | grep -q 'officeuser *console'; }
check "WinPC: query user after login -> exit 0, the session listed" winpc_lists_user
qu=$(lab_ssh WinPC query user | tr -d '\r' | head -n 1)
check "WinPC: query user's header is Windows' own" \
    test "$qu" = " USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME"
ctl WinPC login jdoe disc
winpc_lists_disc() { lab_ssh WinPC query user | grep -Eq '^ jdoe +2  Disc +1:05 '; }
check "WinPC: a disconnected session is listed as Disc (exit 0)" winpc_lists_disc
ctl WinPC logout
lab_ssh WinPC nosuchprogram >/dev/null 2>&1
check "WinPC: an unknown program exits 9009, which ssh reports as 49" test $? = 49
lab_ssh WinPC 'query user & shutdown /s /t 0' >/dev/null 2>&1
check "WinPC: a cmd.exe operator outside quotes is recorded as an injection, nothing runs" \
    test "$(count_events LAB-ERROR WinPC)/$(state_of WinPC)/$(count_events POWER-REQUEST WinPC)" = "1/on/0"
lab_ssh WinPC powershell -NoProfile -NonInteractive -Command '"Set-Date -Date (([DateTimeOffset]::FromUnixTimeMilliseconds([long]('"$(date +%s)"'.250d*1000))).LocalDateTime)"' >/dev/null
check "WinPC: PowerShell Set-Date sets its clock (CLOCK via powershell Set-Date)" test "$(events CLOCK WinPC | grep -c 'via powershell Set-Date')" = 1
lab_ssh WinPC shutdown /s /f /t 0
check "WinPC: shutdown /s /f /t 0 powers it off" wait_for 3 '[ "$(power_of WinPC)" = off ]'
ctl WinPC on; winpc_ssh_up
lab_ssh WinPC powershell -NoProfile -NonInteractive -Command '"Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Application]::SetSuspendState([System.Windows.Forms.PowerState]::Suspend, [bool]0, [bool]0)"'
check "WinPC: PowerShell SetSuspendState(Suspend, false, false) suspends it" wait_for 3 '[ "$(power_of WinPC)" = suspended ]'
"$LAB" wol "$LAB_MAC_WinPC" --via "$LAB_VIA_WinPC"
check "WinPC: suspended that way, a magic packet wakes it" wait_for 5 'pingable $W'
errors_before=$(count_events LAB-ERROR WinPC)
lab_ssh WinPC rundll32.exe powrprof.dll,SetSuspendState 0,1,0
check "WinPC: rundll32 powrprof.dll,SetSuspendState 0,1,0 hibernates it, wake events off" \
    wait_for 3 '[ "$(power_of WinPC)/$(ctl --field wake_disabled WinPC status)" = hibernated/True ]'
check "WinPC: the rundll32 form is recorded as a lab error" test "$(count_events LAB-ERROR WinPC)" = $((errors_before + 1))
"$LAB" wol "$LAB_MAC_WinPC" --via "$LAB_VIA_WinPC"
check "WinPC: then a magic packet does not wake it" \
    wait_for 3 '[ "$(events WAKE-IGNORED WinPC | grep -c "wake events were disabled")" -ge 1 ]'
check "WinPC: still hibernated" test "$(power_of WinPC)" = hibernated
ctl WinPC on
lab_ssh WinPC shutdown /h /f
check "WinPC: shutdown /h /f hibernates it" wait_for 3 '[ "$(power_of WinPC)" = hibernated ]'

# Work machines on other NICs
ctl Work3 on
check "Work3 (NIC lan3) on by hand answers ping from 10.66.1.3" ping -n -q -c1 -W1 -I 10.66.1.3 "$LAB_IP_Work3"
finish
