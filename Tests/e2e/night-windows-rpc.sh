#!/bin/bash
# A Windows PC switched off with ns.actions.windows_rpc: the real Samba `net rpc shutdown`
# (bin/nas-net records its argv) against a real smbd on WinPC (bin/win-smbd: file sharing
# and the initshutdown/winreg pipes), whose shutdown script powers WinPC off after the notice
# the request carried, like Windows. The night's argv asks for a 1 s notice; `--timeout=0`
# by hand shows why not 0: net sends its default 20 s.
. "$(dirname "$0")/lib.sh"
need_nightshift
in_lab
command -v smbd >/dev/null && command -v net >/dev/null ||
    { echo "SKIP: $TEST_NAME: needs Samba's smbd and net (apt-get install samba samba-common-bin)"; exit 77; }

OFFICE="$REPO/scripts/lab/windows-office.lua"
W=$LAB_IP_WinPC
AUTH="$LAB_DIR/machines/WinPC/samba/client.auth"
"$LAB_HOME/bin/win-smbd" prepare WinPC || { bad "win-smbd prepare"; finish; }
ctl WinPC smb on

export LAB_FORCE_WINDOW=$(window_around_now) LAB_WIN_ACTIONS=rpc LAB_WIN_AFTER=shutdown
check "before: WinPC is off" test "$(state_of WinPC)" = off
run_night
check "night 1 exits 0 (got $NIGHT_RC)" test "$NIGHT_RC" = 0
check "WinPC woken by a magic packet" test "$(count_events WAKE WinPC)" = 1
check "its file sharing (smbd) came up after the boot" test "$(count_events SMB WinPC)" = 1
check "the job copied the share onto WinPC" same_tree "$SRC_SERVER" "$LAB_DIR/machines/WinPC/share"
echo "  .. net as the night ran it:"; events NET Server | cut -d' ' -f5- | sed 's/^/     /'
check "net rpc shutdown ran once, with exactly windows_rpc's argv" test "$(events NET Server | cut -d' ' -f5-)" = \
    "rpc | shutdown | -f | --timeout=1 | --comment=NightShift backup finished | --ipaddress=$W | --authentication-file=$AUTH"
echo "  .. WinPC's smbd got:"; events RPC-SHUTDOWN WinPC | cut -d' ' -f5- | sed 's/^/     /'
check "WinPC's smbd received a shutdown request: 1 s notice, programs closed (-f)" \
    test "$(events RPC-SHUTDOWN WinPC | cut -d' ' -f5-)" = "timeout=1 force=-f reboot=no message=NightShift_backup_finished"
check "WinPC powered off by it" test "$(power_of WinPC)" = off
check "the power-off came from net rpc shutdown" test "$(events POWER-REQUEST WinPC | grep -c 'poweroff via net rpc shutdown (notice 1 s)')" = 1
asked=$(last_event_time RPC-SHUTDOWN WinPC) gone=$(last_event_time OFF WinPC)
echo "  .. from the request to the power-off: $(fsub "$gone" "$asked") s"
check "off within 8 s of the request (a 1 s notice, not 20 s)" fcmp "0 < $gone - $asked < 8.0"
check "the night saw it go down" grep -q "Switched-off hosts are down: WinPC" "$NS_LOG"
check_not "no warning about the shutdown action" grep -q "shutdown action on WinPC exited" "$NS_LOG"
check "the NAS hibernates after the night" test "$(count_events NAS-SLEEP Server)" = 1

# Why not --timeout=0: net reads 0 as "no timeout given" and sends its default of 20 s.
ctl WinPC on
check "WinPC on by hand, its file sharing up" wait_for 15 '[ "$(tcp_state "$W" 445)" = open ]'
"$LAB_HOME/bin/nas-net" rpc shutdown -f --timeout=0 --ipaddress="$W" --authentication-file="$AUTH" >/dev/null 2>&1
check "net rpc shutdown --timeout=0 arrives as a 20 s notice" \
    test "$(events RPC-SHUTDOWN WinPC | tail -n 1 | cut -d' ' -f5)" = "timeout=20"
check_not "so WinPC does not go off within 3 s" wait_for 3 '[ "$(state_of WinPC)" != on ]'
finish
