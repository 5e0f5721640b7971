#!/bin/bash
# A Windows backup PC (WinPC: the lab's sshd answers like Windows' OpenSSH server,
# scripts/lab/bin/windows-shell) managed with ns.actions.windows_ssh. Night 1: woken,
# its clock (an hour off) set with PowerShell Set-Date, `query user` says nobody,
# `shutdown /s /f /t 0` switches it off. Night 2: a user logs in during the job, so
# `query user` lists a session and the PC is left on.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab --clock WinPC=3600

OFFICE="$REPO/scripts/lab/windows-office.lua"
# The remote commands exactly as WinPC's shell received them (events.log, tag SSH).
win_cmds() { events SSH WinPC | cut -d' ' -f5-; }
SET_DATE_RE='^powershell -NoProfile -NonInteractive -Command "Set-Date -Adjust \(\[TimeSpan\]::FromMilliseconds\(\[long\]\([-+][0-9]+\.[0-9]{3}d\*1000\)\)\)"$'

export LAB_FORCE_WINDOW=$(window_around_now)
check "before: WinPC is off, its clock an hour fast" test "$(state_of WinPC)" = off
run_night
check "night 1 exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "WinPC woken by a magic packet" test "$(count_events WAKE WinPC)" -ge 1
check "the job copied the share onto WinPC" same_tree "$SRC_SERVER" "$LAB_DIR/machines/WinPC/share"
echo "  .. commands WinPC received:"; win_cmds | sed 's/^/     /'
check "exactly three commands: Set-Date, query user, shutdown" test "$(win_cmds | wc -l)" = 3
nth_is() { win_cmds | sed -n "$1p" | grep -Eq "$2"; }
check "1st: the clock adjusted with PowerShell Set-Date -Adjust by the measured offset" nth_is 1 "$SET_DATE_RE"
check "2nd: query user (is somebody logged in?)" test "$(win_cmds | sed -n 2p)" = "query user"
check "3rd: shutdown /s /f /t 0" test "$(win_cmds | sed -n 3p)" = "shutdown /s /f /t 0"
check "no shell operator ever reached cmd.exe" test "$(count_events LAB-ERROR WinPC)" = 0
check "WinPC's clock set via Set-Date" test "$(events CLOCK WinPC | grep -c 'via powershell Set-Date')" = 1
o=$(cat "$LAB_DIR/machines/WinPC/clock_offset")
echo "  .. WinPC's clock offset after the night: $o s"
# The offset was measured before the command: an adjustment does not age on the way.
check "the hour is gone: WinPC within 3 s of the NAS after the night" fcmp "abs($o) < 3.0"
check "the residual was measured and logged" grep -q "Clock of WinPC after the sync: [-+][0-9]\.[0-9]* s from Server" "$NS_LOG"
check "WinPC powered off by the shutdown command" test "$(power_of WinPC)" = off
check "the power-off came from shutdown.exe" test "$(events POWER-REQUEST WinPC | grep -c 'poweroff via ssh (shutdown /s /f /t 0)')" = 1
check "the log says why it may go off" grep -q "Switching WinPC off (shutdown): it was down at the sweep, this night woke it, nobody uses it" "$NS_LOG"
check "the NAS hibernates after the night" test "$(count_events NAS-SLEEP Server)" = 1

# Night 2: somebody logs in on WinPC while the backup runs.
: >"$LAB_DIR/night2.mark"
before=$(win_cmds | wc -l)
export LAB_WIN_LOGIN_DURING_JOB=1
run_night --manual
check "night 2 exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "WinPC woken again" test "$(count_events WAKE WinPC)" -ge 2
new=$(win_cmds | tail -n +$((before + 1)))
echo "  .. commands WinPC received in night 2:"; sed 's/^/     /' <<<"$new"
check "night 2 asked query user" grep -qx "query user" <<<"$new"
check_not "night 2 sent no shutdown" grep -q "^shutdown" <<<"$new"
check "WinPC left on with the user logged in" test "$(state_of WinPC)/$(ctl --field in_use WinPC status)" = on/True
check "one power request only (night 1's)" test "$(count_events POWER-REQUEST WinPC)" = 1
check "the log names the in_use check" grep -q "Leaving WinPC on: its in_use check reports a user" "$NS_LOG"
finish
