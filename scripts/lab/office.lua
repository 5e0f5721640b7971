-- The original's office (scripts/../seed Computers.txt) inside the lab: the NAS
-- "Server" with four NICs, the backup machines Backup1 and Backup2, four
-- workstations, and the two jobs of the original, copying real files with rsync
-- over the lab's ssh. Run it inside the lab (scripts/lab/lab sets LAB_DIR):
--
--   scripts/lab/lab run -- .build/release/nightshift run scripts/lab/office.lua --once
--
-- Addresses (scripts/lab/office.machines):
--   NAS NICs lan1..lan4 = 10.66.1.1 .. 10.66.1.4
--   Backup1 10.66.1.100 (faces 10.66.1.4)   Backup2 10.66.1.200 (faces 10.66.1.1)
--   Work1 .10 (.1)  Work2 .20 (.2)  Work3 .30 (.3)  Work4 .40 (.4)
--
-- Tests vary the night through the environment:
--   LAB_CHECK_EVERY (default "20s"), LAB_FORCE_WINDOW ("03:00-05:00"),
--   LAB_WAKE_TIMEOUT ("60s"), LAB_OFF_TIMEOUT ("30s"), LAB_SELF_SLEEP ("hibernate"),
--   LAB_RSYNC_BWLIMIT (KiB/s, slows the copies down; unset = full speed),
--   LAB_MIN_INTERVAL (unset = the default 12h; the soak makes it short),
--   LAB_STATUS_PAGE (unset = no status page), LAB_SITE (unset = the hostname).

local ns = require "nightshift"

-- Outside a lab (e.g. `nightshift check`), paths point at a placeholder.
local LAB_DIR = os.getenv("LAB_DIR") or "/nonexistent/nightshift-lab"
local LAB_HOME = os.getenv("LAB_HOME")
  or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "scripts/lab")
local M = LAB_DIR .. "/machines"
local SSH_CONFIG = LAB_DIR .. "/ssh/config"

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

-- ssh to the lab machines: the lab's key, no known_hosts (host keys are new each lab).
local SSH_OPTIONS = {
  "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "GlobalKnownHostsFile=/dev/null",
  "LogLevel=ERROR", "IdentitiesOnly=yes", "ServerAliveInterval=2", "ServerAliveCountMax=3",
}
local remote = ns.actions.linux_ssh {
  key = LAB_DIR .. "/ssh/id_ed25519",
  connect_timeout = 5,
  options = SSH_OPTIONS,
}

settings {
  check_every  = env("LAB_CHECK_EVERY", "20s"),
  force_window = env("LAB_FORCE_WINDOW", "03:00-05:00"),
  self         = "Server",
  self_sleep   = env("LAB_SELF_SLEEP", "hibernate"),
  wake_timeout = env("LAB_WAKE_TIMEOUT", "60s"),
  off_timeout  = env("LAB_OFF_TIMEOUT", "30s"),
  min_interval = env("LAB_MIN_INTERVAL", nil),
  log_file     = LAB_DIR .. "/nightshift/BackupLog.txt",
  state_dir    = LAB_DIR .. "/nightshift/state",
  actions      = remote,   -- every machine: systemctl over ssh, date -s, who
  -- The NAS's wake alarm for the next window goes to a file: a lab never writes the real RTC.
  rtc          = LAB_DIR .. "/machines/Server/wakealarm",
  metrics      = env("LAB_METRICS", nil), -- a Prometheus textfile after every cycle
  status_page  = env("LAB_STATUS_PAGE", nil), -- the office status page, rewritten at every phase
  site         = env("LAB_SITE", nil),        -- its title (unset: this machine's hostname)
  -- Before it sleeps the NAS checks its users. Its Samba is the lab's own smbd
  -- (scripts/lab/bin/nas-smbd, when a test starts it), never this machine's.
  busy         = { ns.busy.smb { config = LAB_DIR .. "/samba/smb.conf" }, "nfs", "logins", "inhibitors" },
}

-- The NAS: this namespace. Its own sleep and clock are the lab's wrappers, so the
-- real machine never sleeps and its real clock is never touched.
host "Server" {
  ip  = { "10.66.1.1", "10.66.1.2", "10.66.1.3", "10.66.1.4" },
  mac = { "02:66:01:00:00:01", "02:66:01:00:00:02", "02:66:01:00:00:03", "02:66:01:00:00:04" },
  user = "root",
  time_source = true,
  actions = {
    hibernate = { LAB_HOME .. "/bin/nas-hibernate" },
    suspend   = { LAB_HOME .. "/bin/nas-suspend" },
    shutdown  = { LAB_HOME .. "/bin/nas-shutdown" },
    set_time  = { LAB_HOME .. "/bin/nas-date", "-s", "@{epoch_frac}" },
  },
}

host "Backup1" {
  ip = "10.66.1.100", mac = "02:66:01:00:00:64", via = "10.66.1.4", user = "root",
}

host "Backup2" {
  ip = "10.66.1.200", mac = "02:66:01:00:00:c8", via = "10.66.1.1", user = "root",
  time_source = true,
}

host "Work1" { ip = "10.66.1.10", mac = "02:66:01:00:00:0a", via = "10.66.1.1", user = "root" }
host "Work2" { ip = "10.66.1.20", mac = "02:66:01:00:00:14", via = "10.66.1.2", user = "root" }
host "Work3" { ip = "10.66.1.30", mac = "02:66:01:00:00:1e", via = "10.66.1.3", user = "root" }
host "Work4" { ip = "10.66.1.40", mac = "02:66:01:00:00:28", via = "10.66.1.4", user = "root" }

-- rsync options shared by both jobs: a mirror (like the original's FreeFileSync
-- "Mirror"), with progress and a summary in the log. rsync draws its progress
-- with carriage returns; the lab's bin/copy turns that into a line every
-- half second, which reads well in the console and in BackupLog.txt.
local PROGRESS = LAB_HOME .. "/bin/copy"
local function rsync_args(...)
  local argv = { "rsync", "-a", "--delete", "--info=progress2,stats2" } -- stats2: the counts for the night summary
  local bw = env("LAB_RSYNC_BWLIMIT", nil)
  if bw then argv[#argv + 1] = "--bwlimit=" .. bw end
  for _, a in ipairs({ ... }) do argv[#argv + 1] = a end
  return argv
end

local function with_progress(argv)
  local out = { PROGRESS }
  for _, a in ipairs(argv) do out[#out + 1] = a end
  return out
end

-- A command on another machine. -tt gives it a terminal: when NightShift stops
-- the job (SIGTERM, timeout) and the ssh connection drops, the remote rsync gets
-- SIGHUP and ends too (without a terminal it would go on copying, orphaned).
local function ssh_to(ip, argv)
  local out = { "ssh", "-tt", "-F", SSH_CONFIG, "root@" .. ip }
  for _, a in ipairs(argv) do out[#out + 1] = a end
  return out
end

-- Backup1 pulls Backup2's projects over ssh (machine to machine): fails for real
-- when either one is down.
job "Backup1ZuBackup2" {
  source = "Backup2", target = "Backup1",
  run = with_progress(ssh_to("10.66.1.100", rsync_args(
    "root@10.66.1.200:" .. M .. "/Backup2/share/Projekte/",
    M .. "/Backup1/share/Backup2/"))),
  exit_codes = "rsync",
  after = "shutdown",
  source_after = "shutdown",      -- Backup2 was woken only for this job
  time_sync = "auto",             -- Backup1 takes Backup2's time (Backup2 is a time source)
}

-- The NAS pushes its share to Backup1 over ssh.
job "ServerZuBackup1" {
  source = "Server", target = "Backup1",
  run = with_progress(rsync_args("-e", "ssh -F " .. SSH_CONFIG,
    M .. "/Server/share/Daten/",
    "root@10.66.1.100:" .. M .. "/Backup1/share/Server/")),
  exit_codes = "rsync",
  after = "suspend",
  time_sync = "auto",             -- Backup1 takes the NAS's time
}

-- The original's failure report, in the NAS share root where the office sees it.
on("failure", ns.report.copy_log(M .. "/Server/share"))

-- Monitoring: a test points this at its own server on the lab's loopback.
if env("LAB_HEALTHCHECKS", nil) then ns.notify.healthchecks { url = env("LAB_HEALTHCHECKS") } end
