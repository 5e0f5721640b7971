#!/bin/bash
# Up is not ready: after a Wake-on-LAN boot WinPC answers ARP and ping seconds before its
# sshd (Windows' OpenSSH service) runs. Night 1: the night waits for its ssh port within
# wake_timeout, then Set-Date and query user succeed (no ERR line) and WinPC is switched
# off. Night 2: its sshd never starts: the job fails within wake_timeout naming WinPC and
# port 22, nothing hangs, and WinPC (its in_use check cannot be asked) is left on.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --clock WinPC=3600 --ssh-delay WinPC=6

OFFICE="$REPO/scripts/lab/windows-office.lua"
win_cmds() { events SSH WinPC | cut -d' ' -f5-; }

export LAB_FORCE_WINDOW=$(window_around_now) LAB_WAKE_TIMEOUT=30s
check "before: WinPC is off" test "$(state_of WinPC)" = off
run_night
check "night 1 exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "WinPC woken by a magic packet" test "$(count_events WAKE WinPC)" -ge 1
check "WinPC answered ping before its sshd ran (ssh in 6s)" test "$(events ANSWERING WinPC | grep -c 'ssh in 6s')" = 1
check "the log says what the night waits for" \
    grep -q "WinPC answers ping/ARP after the wake-up; waiting for its ssh port 22" "$NS_LOG"
check "the log says when the ssh port answered" grep -q "WinPC's ssh port 22 accepts connections after" "$NS_LOG"
ssh_up=$(first_event_time SSH-UP WinPC)
first_cmd=$(first_event_time SSH WinPC)
echo "  .. sshd up at $ssh_up, first command at $first_cmd"
check "no command was sent before WinPC's sshd ran" fcmp "$first_cmd >= $ssh_up"
echo "  .. commands WinPC received:"; win_cmds | sed 's/^/     /'
check "PowerShell (the clock), query user, shutdown: in this order" \
    test "$(win_cmds | awk '{print $1}' | uniq | tr '\n' ' ')" = "powershell query shutdown "
check "WinPC's clock set via Set-Date" test "$(events CLOCK WinPC | grep -c 'via powershell Set-Date')" = 1
check "no ERR line in the log (no ssh failed)" test "$(grep -c '^.*ERR   ' "$NS_LOG")" = 0
check "no ERROR line in the log" test "$(grep -c '^\[[^]]*\] ERROR ' "$NS_LOG")" = 0
check "ServerToWinPC ok" test "$(job_result ServerToWinPC)" = ok
check "WinPC switched off" wait_for 5 '[ "$(power_of WinPC)" = off ]'

# Night 2: WinPC boots, answers ping, but its sshd never starts.
ctl WinPC ssh-delay never >/dev/null
export LAB_WAKE_TIMEOUT=8s
before=$(win_cmds | wc -l)
started=$(date +%s)
run_night --manual
took=$(( $(date +%s) - started ))
echo "  .. night 2 took ${took}s"
check "night 2 exits 1: the job failed (got $NIGHT_RC)" test "$NIGHT_RC" = 1
check "WinPC woken and answering, its sshd never started" \
    test "$(count_events WAKE WinPC)" -ge 2 -a "$(events ANSWERING WinPC | grep -c 'ssh never starts')" = 1
reason=$(job_reason ServerToWinPC)
echo "  .. reason: $reason"
names_port() { [[ "$reason" == *"WinPC's ssh port 22 did not accept a connection within the wake timeout (8s)"* ]]; }
check "the reason names WinPC, its ssh port 22 and the wake timeout" names_port
check "the log names host and port" grep -q "WinPC answers at 10.66.1.50, but its ssh port 22 did not accept a connection within 8s" "$NS_LOG"
check "bounded: the night ended within wake_timeout and some seconds (${took}s)" test "$took" -lt 40
check "no command reached WinPC in night 2" test "$(win_cmds | wc -l)" = "$before"
check "WinPC left on: its in_use check could not be asked" grep -q "Leaving WinPC on: its in_use check failed" "$NS_LOG"
check "WinPC is still on" test "$(state_of WinPC)" = on
finish
