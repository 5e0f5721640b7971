-- nightshift.cycle: one cycle of the loop - sweep, decide, run the night, maybe
-- put this machine to sleep. Swift calls ns._cycle once per cycle with a freshly
-- loaded script; its result decides the exit code of `run --once`.
local ns = ...
local util = ns._util
local config = ns._config
local hosts = ns.hosts

local function settings() return config.settings end

-- Probes every host but this one and logs a line per host.
local function sweep(label)
  local names = hosts.others(false)
  local started = ns.now()
  local r = hosts.probe(names)
  local online = {}
  for _, name in ipairs(names) do
    local h = hosts.get(name)
    local x = r[name]
    if x.up then online[#online + 1] = name end
    local status = x.up and string.format("online  %.1f ms", x.rtt_ms or 0)
      or (x.unknown and ("UNKNOWN (" .. tostring(x.error) .. ")") or "offline")
    local log = x.unknown and ns.log.warn or ns.log.info
    log("  %-12s %-16s %s%s", name, x.ip or h.ip[1] or "-", status, h.watch and "" or "  (not watched)")
  end
  ns.log.info("%s: %d of %d hosts online (%.2f s)", label, #online, #names, ns.now() - started)
  return r, online
end

-- Names of watched hosts that are up in sweep `r`.
local function watched_online(r)
  local out = {}
  for _, name in ipairs(hosts.others(true)) do if r[name] and r[name].up then out[#out + 1] = name end end
  return out
end

-- The default trigger: everybody offline (for offline_sweeps sweeps), the force window, or manual.
local function default_decision(r, manual, st, recorded)
  local s = settings()
  -- A host NightShift woke and that is still up (an interrupted night) is nobody's work.
  local watched = {}
  for _, name in ipairs(hosts.others(true)) do
    if not (r[name] and r[name].up and ns._woken_earlier(st, name)) then watched[#watched + 1] = name end
  end
  local d = ns._decide({ watched = watched, manual = manual, sweep = r, recorded = recorded,
    force_window = s.force_window or nil, offline_sweeps = s.offline_sweeps })
  -- min_interval: at most one backup per interval (a NAS that stays awake would
  -- otherwise back up at every check while everybody is away).
  if d.run and not manual and s.min_interval > 0 and st.last_backup then
    local ago = ns.now() - st.last_backup
    if ago < s.min_interval then
      return { run = false, reason = string.format("the last backup started %s ago (min_interval %s)",
        ns.format_duration(ago), ns.format_duration(s.min_interval)) }
    end
  end
  return d
end

--- The decision for this cycle: {run=bool, reason=string, window_key=epoch?}.
function ns._decision(r, manual, st, recorded)
  local d = default_decision(r, manual, st or {}, recorded)
  if config.trigger then
    local online = watched_online(r)
    local ok, run, reason = xpcall(config.trigger, debug.traceback, {
      hosts = r, online = online, watched = hosts.others(true), manual = manual,
      default = { run = d.run, reason = d.reason }, now = ns.now(),
    })
    if not ok then error(run, 0) end
    d = { run = run and true or false, reason = reason or (run and "custom trigger" or "custom trigger: no"), window_key = d.run and d.window_key or nil }
  end
  return d
end

-- Sleeps this machine when nobody is left (invariant 2); returns a short note.
local function maybe_sleep(night, opts)
  local mode = settings().self_sleep
  if mode == "none" then return "self_sleep is \"none\"" end
  night:wait_switched_off()
  ns.log.info("Final sweep before %s:", mode)
  local r = sweep("Final sweep")
  local recorded = ns._state.record_sweep(r)
  local online = watched_online(r)
  if #online > 0 then
    ns.log.info("Not going to %s: %s online", mode, util.join(online))
    return "watched hosts online"
  end
  local unknown = {}
  for _, name in ipairs(hosts.others(true)) do if r[name] and r[name].unknown then unknown[#unknown + 1] = name end end
  if #unknown > 0 then
    ns.log.warn("Not going to %s: cannot tell whether %s is online", mode, util.join(unknown))
    return "state unknown"
  end
  if not recorded then
    ns.log.warn("Not going to %s: the state could not be recorded (unknown)", mode)
    return "state unknown"
  end
  ns._fire("before_sleep", { mode = mode })
  if opts.no_sleep then
    ns.log.info("Nobody is online; not going to %s (--no-sleep)", mode)
    return "--no-sleep"
  end
  ns.log.info("Nobody is online: this machine goes to %s", mode)
  local ok, err = ns.power[mode]()
  if not ok then ns.log.error("%s failed: %s", mode, tostring(err)) end
  return ok and mode or ("failed: " .. tostring(err))
end

--- One cycle. `opts`: {manual=bool, no_sleep=bool}. Returns {code=0|1, ran=bool, reason=string}.
function ns._cycle(opts)
  opts = opts or {}
  ns.manual = opts.manual and true or false -- only the first cycle of a --manual run is manual
  if #config.job_order == 0 and not config.routine and #config.host_order == 0 then
    -- A plain script (no hosts, no jobs): its top level was all there was to run.
    return { code = 0, ran = false, reason = "the script declares no hosts or jobs" }
  end
  local st = ns._state.load()
  if st.status == "corrupt" then
    ns.log.warn("State file was corrupt (%s); kept aside, treating the state as unknown", tostring(st.error))
  end
  ns.log.info("Sweep of %d hosts:", #hosts.others(false))
  local r = sweep("Sweep")
  local recorded = ns._state.record_sweep(r)
  ns._fire("sweep", { hosts = r, online = watched_online(r) })

  local d = ns._decision(r, opts.manual, st, recorded)
  ns.log.info("Decision: %s - %s", d.run and "back up" or "no backup", d.reason)
  if not d.run then
    ns._state.history({ type = "cycle", decision = "skip", reason = d.reason, result = "skipped", manual = opts.manual })
    return { code = 0, ran = false, reason = d.reason }
  end
  if d.window_key then ns._state.window_ran(ns.now()) end

  local night = ns._new_night(r, recorded and st.status ~= "corrupt", st)
  ns._fire("before_backup", { night = night, reason = d.reason })
  local routine = config.routine or ns._default_routine
  local ok, err = xpcall(routine, debug.traceback, night)
  if not ok then
    if ns._interrupted() then error(err, 0) end
    local message = tostring(err):match("^[^\n]*")
    ns.log.error("The routine failed: %s", message)
    ns.log.file(tostring(err))
    ns._fire("failure", { job = nil, reason = message, log = ns.log.path() })
  end
  night:finish()
  local failed = {}
  for _, name in ipairs(util.keys(night.results)) do
    if night.results[name].result == "failed" then failed[#failed + 1] = name end
  end
  ns._fire("after_backup", { night = night, results = night.results, failed = failed })
  local slept = maybe_sleep(night, opts)
  local code = (#failed > 0 or not ok) and 1 or 0
  ns._state.history({ type = "cycle", decision = "backup", reason = d.reason, failed = failed, sleep = slept,
    result = code == 0 and "ok" or "failed", manual = opts.manual })
  -- A night that ran to its end leaves no host marked as woken by NightShift.
  ns._state.clear_woken()
  ns.log.info("Night done: %s", code == 0 and "all jobs ok" or ("failed: " .. (#failed > 0 and util.join(failed) or "routine error")))
  return { code = code, ran = true, reason = d.reason }
end

--- The validated plan as text lines, for `nightshift check`.
function ns._plan()
  local s = settings()
  local lines = {}
  local function add(fmt, ...) lines[#lines + 1] = string.format(fmt, ...) end
  add("Hosts (%d):", #config.host_order)
  for _, name in ipairs(config.host_order) do
    local h = config.hosts[name]
    local flags = {}
    if name == s.self then flags[#flags + 1] = "this machine" end
    if h.watch and name ~= s.self then flags[#flags + 1] = "watched" end
    if h.time_source then flags[#flags + 1] = "time source" end
    if h.probe ~= "icmp" then flags[#flags + 1] = h.probe end
    local acts = util.keys(h.actions)
    add("  %-12s ip %-28s mac %-20s %s%s", name, #h.ip > 0 and util.join(h.ip) or "-",
      #h.mac > 0 and (h.mac[1] .. (#h.mac > 1 and (" +" .. (#h.mac - 1)) or "")) or "-",
      util.join(flags), #acts > 0 and ("  actions: " .. util.join(acts)) or "")
  end
  add("Jobs in order (%d):", #config.job_order)
  for i, name in ipairs(config.job_order) do
    local j = config.jobs[name]
    local run = type(j.run) == "function" and "function" or (type(j.run) == "table" and table.concat(j.run, " ") or ("sh -c " .. j.run))
    add("  %d. %-18s %s -> %s, then target: %s%s, time sync: %s", i, name, j.source, j.target, j.after,
      j.source_after ~= "none" and (", source: " .. j.source_after) or "",
      type(j.time_sync) == "function" and "function" or j.time_sync)
    add("     run: %s", run)
  end
  add("Schedule:")
  add("  check every %s; trigger: %s", ns.format_duration(s.check_every),
    config.trigger and "custom" or (s.offline_sweeps > 1 and ("all watched hosts offline for " .. s.offline_sweeps .. " sweeps") or "all watched hosts offline"))
  if s.force_window then
    add("  force window %s, next opens %s", s.force_window, os.date("%Y-%m-%d %H:%M", math.floor(ns._next_window(s.force_window))))
  else
    add("  no force window")
  end
  add("  this machine: %s, afterwards: %s", s.self or "(not declared)", s.self_sleep)
  add("  wake timeout %s; log %s; state %s", ns.format_duration(s.wake_timeout), s.log_file, s.state_dir)
  return lines
end

return ns
