-- nightshift.busy: the checks run before this machine sleeps (settings.busy) and the wake
-- alarm it sleeps with (settings.self_wake). A check returns busy (boolean) and why; one
-- that raises counts as busy. A service that is not here (the program is not installed,
-- the daemon is not running) is not busy: a NAS without Samba still sleeps.
local ns, core = ...
local util = core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
local hints = core.require "nightshift.hints"
core.require "nightshift.hosts"
core.require "nightshift.night"
local busy = {}
ns.busy = busy

local function settings() return config.settings end

local function check(name, run) return { busy_check = name, run = run } end

-- Runs a query program; nil when it is not installed ("cannot start").
local function query(argv)
  local ok, r = pcall(ns.exec, argv, { timeout = 30, log = "none", ok_codes = { 0 } })
  if not ok then
    if tostring(r):find("cannot start", 1, true) then return nil end
    error(r, 0)
  end
  if r.timed_out then error(string.format("%s timed out", argv[1]), 0) end
  return r
end

local function running(names)
  for _, p in ipairs(core.busy.processes()) do
    if util.contains(names, p) then return true end
  end
  return false
end

local function first_line(text)
  return (text or ""):match("^%s*([^\n]*)") or ""
end

local function plural(n, word) return string.format("%d %s%s", n, word, n == 1 and "" or "s") end

-- "2 SMB sessions (alice@10.0.0.20, bob@10.0.0.30), 1 open file (/srv/share/report.odt)"
local function smb_summary(status)
  local who, names = {}, {}
  for _, s in ipairs(status.sessions) do
    local w = s.user .. "@" .. s.machine
    if not util.contains(who, w) then who[#who + 1] = w end
  end
  for i, f in ipairs(status.files) do
    if f ~= "?" and i <= 3 then names[#names + 1] = f end
  end
  if #status.files > #names and #names > 0 then names[#names + 1] = "..." end
  return string.format("%s%s, %s%s", plural(#status.sessions, "SMB session"),
    #who > 0 and (" (" .. table.concat(who, ", ") .. ")") or "", plural(#status.files, "open file"),
    #names > 0 and (" (" .. table.concat(names, ", ") .. ")") or "")
end

--- Busy while Samba has sessions or open files (`smbstatus --json`, else its tables).
-- opts.config: the smb.conf smbstatus reads (`--configfile`), for a Samba with its own config.
function busy.smb(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(string.format("bad argument #1 to 'smb' (table expected, got %s)", type(opts)), 2)
  end
  opts = opts or {}
  hints.options("smb", opts, { "config" }, 2)
  if opts.config ~= nil and (type(opts.config) ~= "string" or opts.config == "") then
    error("bad argument #1 to 'smb' (field 'config' must be the path of an smb.conf)", 2)
  end
  local function smbstatus(...)
    local argv = { "smbstatus" }
    if opts.config then argv[#argv + 1] = "--configfile=" .. opts.config end
    for _, a in ipairs({ ... }) do argv[#argv + 1] = a end
    return query(argv)
  end
  return check("smb", function()
    local r = smbstatus("--json")
    if not r then return false, "smbstatus is not installed" end
    if r.dry_run then return false, "not asked (dry run)" end
    local status = r.ok and core.busy.smbstatus_json(r.stdout)
    if not status then
      -- No JSON (Samba before 4.16, or without jansson; or smbstatus failed): the tables.
      r = smbstatus()
      if not r then return false, "smbstatus is not installed" end
      if not r.ok then
        if not running({ "smbd" }) then return false, "smbd is not running" end
        error(string.format("smbstatus failed (exit %s): %s", tostring(r.code or r.signal), first_line(r.stderr ~= "" and r.stderr or r.stdout)), 0)
      end
      status = core.busy.smbstatus_tables(r.stdout)
    end
    if #status.sessions + #status.files == 0 then return false, "no SMB sessions" end
    return true, smb_summary(status)
  end)
end

--- Busy while the NFS server has clients (/proc/fs/nfsd/clients, else established :2049 connections).
function busy.nfs(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(string.format("bad argument #1 to 'nfs' (table expected, got %s)", type(opts)), 2)
  end
  opts = opts or {}
  hints.options("nfs", opts, { "clients" }, 2)
  if opts.clients ~= nil and (type(opts.clients) ~= "string" or opts.clients == "") then
    error("bad argument #1 to 'nfs' (field 'clients' must be a folder path)", 2)
  end
  local folder = opts.clients or "/proc/fs/nfsd/clients"
  return check("nfs", function()
    local clients = core.busy.list(folder)
    if clients and #clients > 0 then return true, string.format("%d NFS client%s", #clients, #clients == 1 and "" or "s") end
    if clients == nil and not running({ "nfsd" }) then return false, "nfsd is not running" end
    -- NFSv3 clients have no folder there: look for their connections.
    local r = query({ "ss", "-Htn", "state", "established", "( sport = :2049 )" })
    if r and r.ok then
      local n = core.busy.ss_count(r.stdout)
      if n > 0 then return true, string.format("%d NFS connection%s", n, n == 1 and "" or "s") end
    elseif r then
      error(string.format("ss failed (exit %s): %s", tostring(r.code or r.signal), first_line(r.stderr)), 0)
    end
    return false, "no NFS clients"
  end)
end

--- Busy while somebody is logged in (logind sessions with a user, else `who`).
function busy.logins()
  return check("logins", function()
    local r = core.busy.exists("/run/systemd/seats") and query({ "loginctl", "list-sessions", "--no-legend", "--no-pager" })
    local lines
    if r and r.ok then
      lines = core.busy.loginctl_users(r.stdout)
    else
      r = query({ "who" })
      if not r then return false, "neither loginctl nor who is here" end
      if not r.ok then error(string.format("who failed (exit %s): %s", tostring(r.code or r.signal), first_line(r.stderr)), 0) end
      lines = core.busy.who_users(r.stdout)
    end
    if #lines == 0 then return false, "nobody logged in" end
    return true, string.format("%d login%s (%s)", #lines, #lines == 1 and "" or "s", util.join(lines))
  end)
end

--- Busy while a systemd inhibitor lock blocks sleep or shutdown (`systemd-inhibit --list`).
function busy.inhibitors()
  return check("inhibitors", function()
    if not core.busy.exists("/run/systemd/system") then return false, "systemd is not running" end
    local r = query({ "systemd-inhibit", "--list", "--no-legend", "--no-pager" })
    if not r then return false, "systemd-inhibit is not installed" end
    if not r.ok then
      error(string.format("systemd-inhibit failed (exit %s): %s", tostring(r.code or r.signal), first_line(r.stderr)), 0)
    end
    local what = settings().self_sleep == "shutdown" and "shutdown" or "sleep"
    local holders = core.busy.inhibitors(r.stdout, what)
    if #holders == 0 then return false, "no inhibitor locks" end
    return true, string.format("%s inhibited by %s", what, util.join(holders))
  end)
end

--- Busy while any of the named processes runs (names as in /proc/PID/comm, at most 15 characters).
function busy.processes(names)
  if type(names) == "string" then names = { names } end
  if type(names) ~= "table" or #names == 0 then
    error("bad argument #1 to 'processes' (a list of process names expected)", 2)
  end
  for i, n in ipairs(names) do
    if type(n) ~= "string" or n == "" then
      error(string.format("bad argument #1 to 'processes' (item %d: a process name expected)", i), 2)
    end
  end
  return check("processes", function()
    local seen = {}
    for _, p in ipairs(core.busy.processes()) do
      if util.contains(names, p) and not util.contains(seen, p) then seen[#seen + 1] = p end
    end
    if #seen == 0 then return false, "none of " .. util.join(names) .. " is running" end
    return true, util.join(seen) .. " running"
  end)
end

-- A rate check: counters sampled `seconds` apart; busy above `kbps` (kilobytes per second).
local function rate_check(name, fname, read, opts)
  opts = opts or {}
  hints.options(fname, opts, { "kbps", "seconds", "devices" }, 3)
  if opts.devices ~= nil and type(opts.devices) ~= "table" then
    error(string.format("bad argument #1 to '%s' (field 'devices' must be a list of device names)", fname), 3)
  end
  local kbps, seconds = opts.kbps, opts.seconds or 5
  if type(kbps) ~= "number" or kbps < 0 then
    error(string.format("bad argument #1 to '%s' (field 'kbps' must be a number >= 0)", fname), 3)
  end
  if type(seconds) ~= "number" or seconds <= 0 or seconds > 300 then
    error(string.format("bad argument #1 to '%s' (field 'seconds' must be a number of seconds, 0-300)", fname), 3)
  end
  return check(name, function()
    local function total()
      local c, err = read()
      if not c then error(err, 0) end
      local sum = 0
      for dev, v in pairs(c) do
        if not opts.devices or util.contains(opts.devices, dev) then sum = sum + v end
      end
      return sum
    end
    local a, t0 = total(), core.mono()
    ns.sleep(seconds)
    local b, t1 = total(), core.mono()
    local rate = math.max(b - a, 0) / 1000 / math.max(t1 - t0, 0.001)
    local text = string.format("%.1f kB/s over %s (limit %g kB/s)", rate, ns.format_duration(seconds), kbps)
    return rate > kbps, text
  end)
end

--- Busy while network traffic (all interfaces but lo, or `devices`) is above `kbps` kB/s.
function busy.traffic(opts)
  -- Not a tail call: the option errors name the script's line, two frames up.
  local c = rate_check("traffic", "traffic", core.busy.net_bytes, opts)
  return c
end

--- Busy while disk I/O (whole disks, or `devices`) is above `kbps` kB/s.
function busy.disk(opts)
  local c = rate_check("disk", "disk", core.busy.disk_bytes, opts)
  return c
end

-- The ready checks settings.busy names by string: the names are the ones check takes and the
-- default lists (checks.lua), each the ns.busy function of that name.
local ready = {}
for _, name in ipairs(core.require("nightshift.checks").ready_busy) do ready[name] = busy[name] end

--- The checks of settings.busy as {name=, run=} (names resolved, functions wrapped).
local function list_checks(list)
  local out = {}
  for i, c in ipairs(list or {}) do
    if type(c) == "string" then out[#out + 1] = ready[c]()
    elseif type(c) == "function" then out[#out + 1] = check("check #" .. i, c)
    else out[#out + 1] = c end
  end
  return out
end

--- Runs every busy check (each bounded by hook_timeout); returns a list of "name: why" for the busy ones.
function core.busy_run(list)
  local reasons = {}
  local limit = settings().hook_timeout
  for _, c in ipairs(list_checks(list)) do
    local ok, is_busy, why = core.bounded(limit, "busy check " .. c.busy_check, c.run)
    if not ok then
      if core.interrupted() then error(is_busy, 0) end
      local message = why and string.format("timed out after %s (hook_timeout)", ns.format_duration(limit))
        or core.site_message(is_busy)
      reasons[#reasons + 1] = string.format("%s: the check failed: %s", c.busy_check, message)
    elseif is_busy then
      reasons[#reasons + 1] = string.format("%s: %s", c.busy_check, tostring(why or "busy"))
    else
      ns.log.debug("busy check %s: not busy (%s)", c.busy_check, tostring(why or "-"))
    end
  end
  return reasons
end

-- When to wake up (epoch), or nil and why not.
local function wake_time()
  local s = settings()
  local mode = s.self_wake
  if mode == nil then mode = s.force_window and "window" or "none" end
  if mode == "none" then return nil, "self_wake is \"none\"" end
  if mode == "window" then
    if not s.force_window then return nil, "self_wake = \"window\" but there is no force_window" end
    return core.window(s.force_window).next - s.self_wake_early
  end
  if type(mode) == "number" then return ns.now() + mode end
  local ok, epoch, timed_out = core.bounded(s.hook_timeout, "self_wake function", mode)
  if not ok then
    if core.interrupted() then error(epoch, 0) end
    return nil, timed_out and "the self_wake function timed out (hook_timeout)" or ("the self_wake function failed: " .. core.site_message(epoch))
  end
  if type(epoch) ~= "number" then return nil, "the self_wake function returned " .. type(epoch) .. ", not an epoch" end
  return epoch
end

--- Sets this machine's wake alarm before it sleeps: the self host's wake_at action, else the RTC.
-- Never keeps the machine awake: a problem is a warning. Returns the epoch set, or nil.
function core.set_wake_alarm()
  local s = settings()
  local epoch, why = wake_time()
  if not epoch then
    if why ~= "self_wake is \"none\"" then ns.log.warn("No wake alarm: %s", why) end
    core.state.set_self_wake(nil)
    return nil
  end
  epoch = math.ceil(epoch)
  local when = os.date("%Y-%m-%d %H:%M:%S", epoch)
  if epoch <= ns.now() then
    ns.log.warn("No wake alarm: %s is in the past", when)
    core.state.set_self_wake(nil)
    return nil
  end
  local me = s.self and config.hosts[s.self]
  local ok, err
  if me and me.actions.wake_at then
    if ns.dry_run then
      ns.log.info("DRY-RUN would set the wake alarm for %s (%d) with the wake_at action", when, epoch)
      return epoch
    end
    local r = ns.hosts.run_action(me.name, "wake_at", { epoch = epoch })
    ok = r and r.ok
    err = r and (r.timed_out and "timed out" or ("exit " .. tostring(r.code or r.signal))) or "no action"
    if not ok then err = "the wake_at action failed (" .. err .. ")" end
  else
    -- Under --dry-run the binding only prints what it would write.
    ok, err = core.rtc.set(s.rtc, epoch)
    if ns.dry_run then return ok and epoch or nil end
  end
  if not ok then
    ns.log.warn("Cannot set the wake alarm for %s: %s (sleeping anyway)", when, tostring(err))
    core.state.set_self_wake(nil)
    return nil
  end
  ns.log.info("Wake alarm set for %s", when)
  core.state.set_self_wake(epoch)
  return epoch
end

return busy
