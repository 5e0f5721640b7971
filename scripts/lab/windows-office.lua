-- A Windows backup PC in the lab (scripts/lab/office.machines: WinPC, os = windows).
-- The NAS "Server" wakes WinPC, copies its share onto it (the PC's share, as the
-- NAS would mount it), sets its clock with PowerShell Set-Date, asks `query user`
-- whether somebody logged in, and shuts it down with `shutdown /s /f /t 0` - all
-- through ns.actions.windows_ssh, answered by the lab's bin/windows-shell:
--
--   scripts/lab/lab run -- .build/release/nightshift run scripts/lab/windows-office.lua --once
--
-- Environment: LAB_CHECK_EVERY ("20s"), LAB_FORCE_WINDOW ("03:00-05:00"),
-- LAB_WAKE_TIMEOUT ("60s"), LAB_OFF_TIMEOUT ("30s"), LAB_WIN_AFTER ("shutdown"),
-- LAB_WIN_LOGIN_DURING_JOB=1 (a user logs in on WinPC while the job runs),
-- LAB_WIN_ACTIONS ("ssh": ns.actions.windows_ssh; "rpc": ns.actions.windows_rpc, Samba's
-- `net rpc shutdown` against WinPC's own smbd - bin/win-smbd, `lab ctl WinPC smb on` - with
-- bin/nas-net in place of net, and no clock setting: the protocol has none).

local ns = require "nightshift"

local LAB_DIR = os.getenv("LAB_DIR") or "/nonexistent/nightshift-lab"
local LAB_HOME = os.getenv("LAB_HOME")
  or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "scripts/lab")
local LAB_PY = os.getenv("LAB_PY") or "python3"
local M = LAB_DIR .. "/machines"

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

settings {
  check_every  = env("LAB_CHECK_EVERY", "20s"),
  force_window = env("LAB_FORCE_WINDOW", "03:00-05:00"),
  self         = "Server",
  self_sleep   = "hibernate",
  wake_timeout = env("LAB_WAKE_TIMEOUT", "60s"),
  off_timeout  = env("LAB_OFF_TIMEOUT", "30s"),
  log_file     = LAB_DIR .. "/nightshift/BackupLog.txt",
  state_dir    = LAB_DIR .. "/nightshift/state",
  rtc          = LAB_DIR .. "/machines/Server/wakealarm",
}

host "Server" {
  ip  = { "10.66.1.1", "10.66.1.2", "10.66.1.3", "10.66.1.4" },
  time_source = true,
  actions = {
    hibernate = { LAB_HOME .. "/bin/nas-hibernate" },
    suspend   = { LAB_HOME .. "/bin/nas-suspend" },
    shutdown  = { LAB_HOME .. "/bin/nas-shutdown" },
    set_time  = { LAB_HOME .. "/bin/nas-date", "-s", "@{epoch_frac}" },
  },
}

local RPC = env("LAB_WIN_ACTIONS", "ssh") == "rpc"
local win_actions
if RPC then
  win_actions = ns.actions.windows_rpc { credentials = M .. "/WinPC/samba/client.auth" }
  win_actions.shutdown[1] = LAB_HOME .. "/bin/nas-net"
else
  win_actions = ns.actions.windows_ssh {
    key = LAB_DIR .. "/ssh/id_ed25519",
    connect_timeout = 5,
    options = { "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "GlobalKnownHostsFile=/dev/null",
                "LogLevel=ERROR", "IdentitiesOnly=yes" },
  }
end

-- The Windows PC: the lab's sshd plays Windows' OpenSSH server (user root: the
-- lab's sshd runs Linux accounts; on a real PC this is e.g. "backupadmin").
host "WinPC" {
  ip = "10.66.1.50", mac = "02:66:01:00:00:32", via = "10.66.1.2", user = "root",
  watch = false,
  actions = win_actions,
  -- The NAS copies over the PC's share: with rpc (no ssh action to wait for) the night waits
  -- until its file sharing accepts connections (it starts after the address, like Windows'
  -- Server service); with ssh, "auto" waits for the ssh port.
  ready = RPC and "tcp:445" or "auto",
}

-- A Linux workstation: the night waits while it is on.
host "Work2" { ip = "10.66.1.20", mac = "02:66:01:00:00:14", via = "10.66.1.2" }

job "ServerToWinPC" {
  source = "Server", target = "WinPC",
  run = function(ctx)
    if env("LAB_WIN_LOGIN_DURING_JOB", nil) == "1" then
      -- Somebody arrives at the PC while the backup runs.
      ns.exec({ LAB_PY, LAB_HOME .. "/agent.py", "ctl", "WinPC", "login", "officeuser" }, { timeout = 30 })
    end
    return ns.exec({ "cp", "-a", M .. "/Server/share/Daten/.", M .. "/WinPC/share/" }, { timeout = 120 })
  end,
  after = env("LAB_WIN_AFTER", "shutdown"),
  time_sync = RPC and "none" or "auto", -- WinPC takes the NAS's time (PowerShell Set-Date -Adjust)
}
