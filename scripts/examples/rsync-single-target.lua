-- Example: a Linux NAS backs up its share to ONE Linux backup box with rsync
-- over ssh. The box sleeps during the day; NightShift wakes it at night, copies,
-- and suspends it again - but only if it was off before (someone who switched
-- it on by hand keeps it on). An EXAMPLE: adapt the marked lines, then
--
--   nightshift check scripts/examples/rsync-single-target.lua     (validates, sends nothing)
--   nightshift run   scripts/examples/rsync-single-target.lua --once --dry-run
--
-- Every key is described in docs/lua-api.md.
--
-- How it runs. This NAS stays on around the clock (self_sleep = "none"). Run it
-- once a night from a systemd timer, e.g. at 02:30:
--
--   /etc/systemd/system/nightshift.service   [Service] Type=oneshot
--                                            ExecStart=/usr/local/bin/nightshift run /etc/nightshift/site.lua --once
--   /etc/systemd/system/nightshift.timer     [Timer] OnCalendar=*-*-* 02:30:00
--
-- With --once, one cycle runs: sweep, decide, back up, done. The force window
-- below contains 02:30, so the backup happens every night even when somebody
-- left a workstation on. (As a daemon - `nightshift run` without --once - the
-- default trigger backs up once all watched hosts are offline, at most once per
-- min_interval, 12 h by default, and retries a failed night at the next checks.)

local ns = require "nightshift"

-- ssh reaches the box with the key of the user nightshift runs as (root on the
-- box, or a user allowed to run `systemctl suspend` via polkit/sudo). To name
-- another key: ns.actions.linux_ssh { key = "/etc/nightshift/id_ed25519" } and
-- "-e", "ssh -i /etc/nightshift/id_ed25519 -o BatchMode=yes" below (`nightshift
-- check` refuses a key that is missing or readable by others).

settings {
  check_every  = "1h",             -- only matters when run as a daemon
  force_window = "02:00-04:00",    -- back up once in this window even if a workstation is on
  self         = "Nas",            -- this machine's host entry below
  self_sleep   = "none",           -- the NAS never sleeps
  wake_timeout = "4m",             -- how long the box may take to boot and answer
  log_file     = "/var/log/nightshift/backup.log",
  state_dir    = "/var/lib/nightshift",
}

-- This machine. It needs no ip/mac: it is never probed or woken.
host "Nas" {
  time_source = false,             -- the box keeps its own time (NTP); see time_sync below
}

-- The backup box. CHANGE ip, mac, via and user.
host "BackupBox" {
  ip    = "192.168.10.50",
  mac   = "52-54-00-12-34-56",      -- the NIC with Wake-on-LAN enabled (BIOS + `ethtool -s eth0 wol g`)
  via   = "192.168.10.2",           -- the NAS's own address on the box's network (picks the NIC)
  user  = "root",                   -- fills {user} in the actions
  watch = false,                    -- a backup target, not somebody's PC: never blocks the backup
  -- shutdown / suspend / hibernate / set_time / in_use over ssh:
  actions = ns.actions.linux_ssh {},
}

-- The workstations whose users must not be disturbed: the backup starts when all
-- of them are off (or in the force window). They are probed, never woken or
-- switched off. Add or remove lines; delete them all to back up every time.
host "Office1" { ip = "192.168.10.11" }
host "Office2" { ip = "192.168.10.12" }

-- The job. rsync runs ON THE NAS and pushes over ssh into the box.
job "ShareToBackupBox" {
  source = "Nas", target = "BackupBox",
  run = {
    "rsync", "-aH", "--delete", "--numeric-ids",
    "-e", "ssh -o BatchMode=yes",
    "/srv/share/",                                 -- CHANGE: what to back up (trailing slash: the contents)
    "root@192.168.10.50:/backup/share/",           -- CHANGE: where it goes on the box
  },
  exit_codes = "rsync",   -- 23/24 (some files vanished or were unreadable) = warning, not failure
                          -- (guessed from the program name anyway; written out for clarity)
  timeout = "6h",         -- give up (and fail the job) after this long
  after = "suspend",      -- afterwards the box is suspended - only if it was off at the sweep
                          -- before the night, this night woke it, and nobody is logged in
                          -- (the in_use action); otherwise it is left on.
  time_sync = "none",     -- "auto" + time_source = true on "Nas" would copy the NAS's clock to the box
}

-- When the job fails, put the night's log where the office sees it:
-- "/srv/share/Backup Job ShareToBackupBox failed.txt".
on("failure", ns.report.copy_log("/srv/share"))

-- A line in the log after the job, with the reason for anything but "ok".
on("after_job", function(ev)
  if ev.result ~= "ok" then
    ns.log.warn("Job %s finished with %s: %s", ev.job, ev.result, tostring(ev.reason))
  end
end)
