#!/bin/bash
# A Windows backup PC put to sleep (WinPC, ns.actions.windows_ssh, after = "suspend").
# Night 1: woken, backed up, nobody logged in, put to sleep with PowerShell's
# SetSuspendState(Suspend, false, false) - wake events on. Night 2: the magic packet
# wakes it from that sleep; a disconnected session (state "Disc" in `query user`, exit 0)
# counts as in use, so the PC is left on. The lab's WinPC does with rundll32's
# SetSuspendState what Windows does (hibernates, wake events off): it must never be sent.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab

OFFICE="$REPO/scripts/lab/windows-office.lua"
win_cmds() { events SSH WinPC | cut -d' ' -f5-; }
SUSPEND='powershell -NoProfile -NonInteractive -Command "Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Application]::SetSuspendState([System.Windows.Forms.PowerState]::Suspend, [bool]0, [bool]0)"'

export LAB_FORCE_WINDOW=$(window_around_now) LAB_WIN_AFTER=suspend
check "before: WinPC is off" test "$(state_of WinPC)" = off
run_night
check "night 1 exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "WinPC woken by a magic packet" test "$(count_events WAKE WinPC)" = 1
check "the job copied the share onto WinPC" same_tree "$SRC_SERVER" "$LAB_DIR/machines/WinPC/share"
echo "  .. commands WinPC received:"; win_cmds | sed 's/^/     /'
check "query user asked before the switch-off" grep -qx "query user" <(win_cmds)
check "the last command: PowerShell SetSuspendState(Suspend, false, false)" test "$(win_cmds | tail -n 1)" = "$SUSPEND"
check_not "no rundll32 ever sent" grep -qi "rundll32" <(win_cmds)
check "WinPC sleeps (suspended, not hibernated)" wait_for 5 '[ "$(power_of WinPC)" = suspended ]'
check "its wake events are on" test "$(ctl --field wake_disabled WinPC status)" = False
check "the power request came from PowerShell (the lab logs its first 120 characters)" \
    test "$(events POWER-REQUEST WinPC | grep -c 'suspend via ssh (powershell -NoProfile -NonInteractive -Command "Add-Type -AssemblyName System.Windows.Forms')" = 1
check "the log says why it may sleep" grep -q "Switching WinPC off (suspend): it was down at the sweep, this night woke it, nobody uses it" "$NS_LOG"
check "no lab error (no shell operator, no rundll32)" test "$(count_events LAB-ERROR WinPC)" = 0

# Night 2: the user's session from the evening was left disconnected (it survives the sleep).
ctl WinPC login jdoe disc
before=$(win_cmds | wc -l)
run_night --manual
check "night 2 exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "WinPC woken from its sleep by the next magic packet" test "$(count_events WAKE WinPC)" = 2
check "it booted from suspended" test "$(events BOOTING WinPC | tail -n 1 | grep -c 'reason=magic-packet.*(was suspended)')" = 1
check_not "no magic packet met disabled wake events" grep -q "wake events were disabled" <(events WAKE-IGNORED WinPC)
new=$(win_cmds | tail -n +$((before + 1)))
echo "  .. commands WinPC received in night 2:"; sed 's/^/     /' <<<"$new"
check "night 2 asked query user" grep -qx "query user" <<<"$new"
check_not "night 2 sent no suspend" grep -q "SetSuspendState" <<<"$new"
check "WinPC left on: the disconnected session counts as in use" test "$(state_of WinPC)" = on
check "the log names the in_use check" grep -q "Leaving WinPC on: its in_use check reports a user" "$NS_LOG"
check "query user's Disc row is logged as info, not as an error" grep -Eq "INFO .*WinPC in_use: +jdoe +2  Disc" "$NS_LOG"
check_not "no ERR line from the in_use check" grep -Eq "(ERR|ERROR).*in_use" "$NS_LOG"
finish
