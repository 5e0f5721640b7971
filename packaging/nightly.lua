-- /etc/nightshift/nightly.lua: the NightShift site script (installed by the
-- Debian package as a conffile: your edits survive upgrades).
--
-- This is the example office: one NAS ("Server", Linux, this machine) that backs
-- up to two backup machines at night, and four workstations whose users must never
-- be disturbed. Replace the addresses, MACs, users and jobs with your own before
-- enabling a unit; the next cycle picks every edit up (no restart).
--
-- Check it:   nightshift check /etc/nightshift/nightly.lua
-- Rehearse:   nightshift run /etc/nightshift/nightly.lua --once --dry-run
-- Run:        systemctl enable --now nightshift.service        (the loop), or
--             systemctl enable --now nightshift-once.timer     (one cycle every hour)
--
-- Under systemd the relative state_dir and log_file below land in
-- /var/lib/nightshift and /var/log/nightshift (StateDirectory=, LogsDirectory=);
-- run by hand they are relative to this file's folder. `nightshift check`
-- prints the absolute paths it will use.
--
-- Durations: "90s", "5m", "1h", "1h30m" or plain seconds. Every key:
-- /usr/share/doc/nightshift/lua-api.md; editor completion: `nightshift api`
-- (the same file as /usr/share/nightshift/nightshift.d.lua).

local ns = require "nightshift"

-- How we reach the backup machines: Linux over ssh with the key of the user
-- nightshift runs as (~/.ssh/id_ed25519). To name another key:
--   ns.actions.linux_ssh { key = "/etc/nightshift/id_ed25519" }
-- (`nightshift check` refuses a key that is missing or readable by others).
-- For Windows clients use ns.actions.windows_ssh{...} (OpenSSH server on the
-- client) or ns.actions.windows_rpc{credentials = "/etc/nightshift/smb.cred"}.
local remote = ns.actions.linux_ssh {}

settings {
  check_every  = "1h",            -- how often the office is swept
  force_window = "03:00-05:00",   -- back up once in this window even if someone left a PC on
  self         = "Server",        -- this machine's host entry below
  self_sleep   = "hibernate",     -- when nobody is online after the night
  min_interval = "12h",           -- one automatic backup per night, even if the NAS stays awake
  max_attempts = 3,               -- a failed night is retried at the next checks, 3 times at most
  hook_timeout = "5m",            -- no handler below may hang the night
  wake_timeout = "3m",            -- how long a woken machine may take to answer
  off_timeout  = "2m",            -- how long a switched-off machine may keep answering
  log_file     = "nightshift.log",  -- /var/log/nightshift/nightshift.log under systemd (logrotate: *.log)
  state_dir    = "state",           -- /var/lib/nightshift/state under systemd (state.json, history.jsonl)
  actions      = remote,          -- default actions for every host (a host may override them)
}

-- The NAS itself. Its NICs: pings and magic packets to a machine leave through
-- the NIC facing it (`via` on each host below).
host "Server" {
  ip = { "192.168.1.1", "192.168.1.2", "192.168.1.3", "192.168.1.4" },
  mac = { "00-00-00-00-00-00", "AA-AA-AA-AA-AA-AA", "BB-BB-BB-BB-BB-BB", "CC-CC-CC-CC-CC-CC", "DD-DD-DD-DD-DD-DD" },
  user = "ServerUser",
  time_source = true,             -- the NAS keeps good time
  -- This machine's own power/clock actions would go here; without them
  -- self_sleep runs `systemctl hibernate` and clock sync steps the clock.
  actions = {},
}

host "Backup1" {
  ip = "192.168.1.100",
  mac = "EE-EE-EE-EE-EE-EE",
  via = "192.168.1.4",
  user = "Backup1User",
}

host "Backup2" {
  ip = "192.168.1.200",
  mac = "FF-FF-FF-FF-FF-FF",
  via = "192.168.1.1",
  user = "Backup2User",
  time_source = true,             -- its clock is trusted (it has internet time)
}

-- Workstations: watched (the backup waits until they are off), never woken.
host "Work1" { ip = "192.168.1.10", mac = "A0-A0-A0-A0-A0-A0", via = "192.168.1.1", user = "WS1User" }
host "Work2" { ip = "192.168.1.20", mac = "B0-B0-B0-B0-B0-B0", via = "192.168.1.2", user = "WS2User" }
host "Work3" { ip = "192.168.1.30", mac = "C0-C0-C0-C0-C0-C0", via = "192.168.1.3", user = "WS3User" }
host "Work4" { ip = "192.168.1.40", mac = "D0-D0-D0-D0-D0-D0", via = "192.168.1.4", user = "WS4User" }

-- The jobs run in this order. A machine used by a later job stays on until that
-- job is done; nothing is switched off that was on when the night began.
job "Backup1ZuBackup2" {
  source = "Backup2", target = "Backup1",
  -- The original ran FreeFileSync batch jobs: run = { "FreeFileSync", "BackupJobs/Backup1ZuBackup2.ffs_batch" },
  -- (`nightshift check` refuses a program it cannot find). rsync, run on Backup2 over ssh:
  run = { "ssh", "-o", "BatchMode=yes", "Backup2User@192.168.1.200",
          "rsync -a --delete /daten/projekte/ Backup1User@192.168.1.100:/backup/backup2/" },
  exit_codes = "rsync",
  after = "shutdown",             -- what happens to the target afterwards
  source_after = "shutdown",      -- Backup2 was woken only for this job
  time_sync = "auto",             -- Backup1 takes Backup2's time (Backup2 is a time source)
}

job "ServerZuBackup1" {
  source = "Server", target = "Backup1",
  -- FreeFileSync: run = { "FreeFileSync", "BackupJobs/ServerZuBackup1.ffs_batch" },
  run = { "rsync", "-a", "--delete", "/srv/share/", "Backup1User@192.168.1.100:/backup/share/" },
  after = "suspend",
  time_sync = "auto",             -- Backup1 takes the NAS's time
}

-- Tell the office when a job fails: the night's log goes to
-- "/srv/share/Backup Job <job> failed.txt" (the original's "fehlgeschlagen" file).
on("failure", ns.report.copy_log("/srv/share"))
