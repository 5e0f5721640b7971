-- Example: a small Windows office. A Linux server (this machine) watches the
-- Windows workstations; when all of them are off it wakes a Windows backup PC,
-- copies the server's share onto it with FreeFileSync, shuts the backup PC down
-- again and finally hibernates itself. An EXAMPLE: adapt the marked lines, then
--
--   nightshift check scripts/examples/windows-clients.lua     (validates, sends nothing)
--   nightshift run   scripts/examples/windows-clients.lua --once --dry-run
--   nightshift run   scripts/examples/windows-clients.lua     (the daemon; e.g. a systemd service)
--
-- Every key is described in docs/lua-api.md.

local ns = require "nightshift"

-- How the server manages the backup PC. Two ways; CHANGE `WAY` to pick one:
--
-- "ssh": the OpenSSH server of Windows (Settings > Optional features; keep its
--    default shell cmd.exe): shutdown, hibernate, suspend, set_time (PowerShell
--    Set-Date -Adjust by the measured offset, so time_sync = "auto" works),
--    get_time (Windows serves no SNTP: the clock is read over ssh) and in_use (`query user`: the PC stays
--    on while somebody is logged in; Windows Home has no `query`: then the check
--    fails and the PC always stays on). The account needs to be an administrator
--    (shutdown, Set-Date). Put the server's public key into the PC's
--    C:\ProgramData\ssh\administrators_authorized_keys.
-- "rpc": Samba's `net rpc` (apt install samba-common-bin): nothing to install on
--    the PC, but it can only SHUT DOWN (no suspend or hibernate, no clock setting,
--    no "is somebody logged in" check). The credentials file keeps the password
--    out of argv; `nightshift check` refuses it when it is missing or others can
--    read it:
--      /etc/nightshift/smb.cred (chmod 600):  username = backupadmin
--                                             password = ...
--    The account must be allowed to shut the PC down remotely.
local WAY = "ssh"
local backup_pc_actions = ({
  ssh = ns.actions.windows_ssh {},   -- the key of the user nightshift runs as; or key = "/etc/nightshift/id_ed25519"
  rpc = ns.actions.windows_rpc { credentials = "/etc/nightshift/smb.cred" },
})[WAY]

settings {
  check_every    = "30m",          -- how often the office is swept
  offline_sweeps = 2,              -- all PCs off in 2 sweeps in a row (a reboot is not "gone home")
  force_window   = "01:00-03:00",  -- back up once in this window even if a PC was left on
  self           = "Server",       -- this machine's host entry below
  self_sleep     = "hibernate",    -- after the night, when no workstation is on; wake the server
                                   -- in the morning with its BIOS timer (RTC alarm) or Wake-on-LAN
  wake_timeout   = "5m",           -- Windows can take a while to boot (and to run its updates)
  log_file       = "BackupLog.txt",  -- next to this script
  state_dir      = "state",
}

-- This machine (Linux). No ip/mac needed: it is never probed or woken.
host "Server" {
  time_source = true,              -- its clock is trusted (it runs an NTP client)
}

-- The Windows backup PC. CHANGE ip, mac and via.
host "BackupPC" {
  ip      = "192.168.20.50",
  mac     = "3C-52-82-00-AB-CD",   -- enable Wake-on-LAN in the BIOS and in the NIC's driver settings,
                                   -- and turn off Windows "Fast startup" (it breaks WoL from shutdown)
  via     = "192.168.20.2",        -- the server's address on that network
  user    = "backupadmin",         -- {user}: the ssh login of windows_ssh (rpc: from smb.cred)
  watch   = false,                 -- a backup target, not somebody's PC
  probe   = "auto",                -- ICMP, plus ARP on the server's own network: Windows drops pings
                                   -- by default, but it always answers ARP
  actions = backup_pc_actions,
}

-- The workstations. Watched: the backup waits until all are off. Never woken,
-- never switched off. CHANGE the list. "auto" = ICMP, plus ARP when the PC is on
-- this machine's own network: a Windows 10/11 PC behind its default firewall
-- answers no ping and (file sharing off) no TCP port, but always ARP. When the
-- PCs sit behind a router (no ARP across it), add the TCP ports they do open,
-- e.g. probe = { "auto", "tcp:445", "tcp:3389" } (file sharing, remote desktop).
host "Reception" { ip = "192.168.20.11", probe = "auto" }
host "Office1"   { ip = "192.168.20.12", probe = "auto" }
host "Office2"   { ip = "192.168.20.13", probe = "auto" }
host "Laptop"    { ip = { "192.168.20.14", "192.168.20.114" }, probe = "auto" }  -- cable or Wi-Fi

-- The job. FreeFileSync (the Linux version) runs on the server and mirrors the
-- share into the backup PC's share D:\Backup, which the server mounts with an
-- fstab entry like
--   //192.168.20.50/Backup  /mnt/backuppc  cifs  noauto,credentials=/etc/nightshift/smb.cred  0 0
-- The batch file is made in FreeFileSync's GUI (File > Save as batch job) with
-- "Run minimized" and "Auto-close", error handling "Cancel". CHANGE the paths.
job "ServerToBackupPC" {
  source = "Server", target = "BackupPC",
  -- A function, so the share is mounted only while the PC is up. It returns the
  -- FreeFileSync result, which exit_codes classifies.
  run = function(ctx)
    local m = ns.exec({ "mount", "/mnt/backuppc" }, { timeout = 60 })
    if not m.ok then return false, "cannot mount /mnt/backuppc: " .. m.stderr end
    local r = ns.exec({ "FreeFileSync", "/etc/nightshift/jobs/ServerToBackupPC.ffs_batch" },
      { timeout = 8 * 3600, log = "both" })
    ns.exec({ "umount", "/mnt/backuppc" }, { timeout = 60 })
    return r
  end,
  exit_codes = "freefilesync",     -- exit 1 = finished with warnings (not a failure); needed here:
                                   -- the program of a run *function* cannot be guessed
  after = "shutdown",              -- windows_rpc can only shut down; the PC stays on if it was on
                                   -- at the sweep before the night, came up by itself or (ssh) a user
                                   -- logged in meanwhile
  time_sync = WAY == "ssh" and "auto" or "none",  -- the PC takes the server's time; rpc cannot set it
}

-- The night's log goes where the office sees it when the job fails:
-- "/srv/share/Backup Job ServerToBackupPC failed.txt".
on("failure", ns.report.copy_log("/srv/share"))

-- Who kept the backup waiting: one line per sweep while PCs are on.
on("sweep", function(ev)
  if #ev.online > 0 then ns.log.info("Still on: %s", table.concat(ev.online, ", ")) end
end)
