-- nightshift.cycle: one cycle of the loop - sweep, decide, run the night, maybe
-- put this machine to sleep. Swift calls core.cycle once per cycle with a freshly
-- loaded script; its result decides the exit code of `run --once`.
local ns, core = ...
local util = core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
local hosts = core.require "nightshift.hosts"
core.require "nightshift.night"
core.require "nightshift.summary"
core.require "nightshift.trigger"
core.require "nightshift.busy"
local outbox = core.require "nightshift.outbox"
core.require "nightshift.defer"
core.require "nightshift.probecheck"

local function settings() return config.settings end

-- Probes every host but this one and logs a line per host. A host that could not be
-- probed (the probe failed here, not at the host) is "unknown", never offline.
local function sweep(label)
  local names = hosts.others(false)
  local started = core.mono()
  local r = hosts.probe(names)
  local online = {}
  for _, name in ipairs(names) do
    local h = hosts.get(name)
    local x = r[name]
    if x.up then online[#online + 1] = name end
    local status = x.up and string.format("online  %.1f ms", x.rtt_ms or 0)
      or (x.unknown and "UNKNOWN" or (x.asleep and "offline (asleep?)" or "offline"))
    -- Say when only ARP saw it: a PC whose firewall drops ping.
    if x.up and x.probe and x.probe ~= "icmp" then status = status .. " (" .. x.probe .. ")" end
    ns.log.info("  %-12s %-16s %s%s", name, x.ip or h.ip[1] or "-", status, h.watch and "" or "  (not watched)")
    if x.unknown then ns.log.info("  cannot tell whether %s is online: %s", name, tostring(x.error or "no answer could be sent")) end
    if x.asleep then
      ns.log.info("  %s %s Counted offline; a host that answers only ARP when it is on needs probe = {\"icmp\", \"arp\"}.",
        name, tostring(x.error))
    end
  end
  ns.log.info("%s: %d of %d hosts online (%.2f s)", label, #online, #names, core.mono() - started)
  return r, online
end

-- Names of watched hosts that are up in sweep `r`.
local function watched_online(r)
  local out = {}
  for _, name in ipairs(hosts.others(true)) do if r[name] and r[name].up then out[#out + 1] = name end end
  return out
end

-- The window's calendar math for now, or nil without a force window.
local function window_now(now)
  local text = settings().force_window
  if not text then return nil end
  local w = core.window(text, now)
  w.text = text
  return w
end

--- The decision for this cycle: {run=bool, reason=string, window_key=epoch?}.
-- `r` is this cycle's sweep, `st` the state loaded once at the start of the cycle.
function core.decision(r, manual, st)
  local s = settings()
  st = st or {}
  local now = ns.now()
  -- A host NightShift woke and that is still up (an interrupted night) is nobody's work.
  local watched = {}
  for _, name in ipairs(hosts.others(true)) do
    if not (r[name] and r[name].up and core.woken_earlier(st, name)) then watched[#watched + 1] = name end
  end
  local sweeps = {}
  for _, past in ipairs(st.recent_sweeps or {}) do sweeps[#sweeps + 1] = past end
  sweeps[#sweeps + 1] = r
  local d = core.trigger.decide({
    now = now, manual = manual, watched = watched, offline_sweeps = s.offline_sweeps, sweeps = sweeps,
    window = window_now(now), night = st.night or {}, min_interval = s.min_interval, max_attempts = s.max_attempts,
  })
  if config.trigger then
    local online = watched_online(r)
    local ok, run, reason = core.bounded(s.hook_timeout, "trigger", config.trigger, {
      -- A view: the night decides by this sweep (was_up), so the trigger may not rewrite it.
      hosts = core.readonly(r, "the sweep"), online = online, watched = hosts.others(true), manual = manual,
      default = { run = d.run, reason = d.reason }, now = now,
    })
    if not ok then
      -- On failure _bounded returns false, the error and whether the time ran out.
      local err, timed_out = run, reason
      if core.interrupted() then error(err, 0) end
      -- A failing or hung trigger fails the cycle; it never backs up.
      error(timed_out and string.format("trigger: timed out after %s (hook_timeout)", ns.format_duration(s.hook_timeout))
        or err, 0)
    end
    d = { run = run and true or false, reason = type(reason) == "string" and reason or (run and "custom trigger" or "custom trigger: no"),
      window_key = d.window_key, new_series = d.new_series }
  end
  return d
end

-- Sleeps this machine when nobody is left (docs/design.md, invariant 2); returns a short note.
-- `swept` ({r=, recorded=}): a sweep just taken, used instead of a final sweep of its own.
local function maybe_sleep(night, opts, swept)
  local mode = settings().self_sleep
  if mode == "none" then return "self_sleep is \"none\"" end
  local r, recorded
  if swept then
    r, recorded = swept.r, swept.recorded
  else
    night:wait_switched_off()
    ns.log.info("Final sweep before %s:", mode)
    r = sweep("Final sweep")
    recorded = core.state.record_sweep(r)
  end
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
  local busy = core.busy_run(settings().busy)
  if #busy > 0 then
    ns.log.info("Not going to %s: this machine is busy: %s", mode, table.concat(busy, "; "))
    return "busy: " .. table.concat(busy, "; ")
  end
  core.fire("before_sleep", { mode = mode })
  if opts.no_sleep then
    ns.log.info("Nobody is online; not going to %s (--no-sleep)", mode)
    return "--no-sleep"
  end
  -- Only for a sleep that happens: a failed alarm is a warning, never a reason to stay up.
  core.set_wake_alarm()
  ns.log.info("Nobody is online: this machine goes to %s", mode)
  local ok, err = ns.power[mode]()
  if not ok then ns.log.error("%s failed: %s", mode, tostring(err)) end
  return ok and mode or ("failed: " .. tostring(err))
end

-- After a pending sleep was tried again: is it still owed? Yes while something keeps this
-- machine up (busy, somebody online, the state unknown); not once it slept, failed to, or
-- cannot (--no-sleep, self_sleep = "none").
local function still_owed(note)
  return note:sub(1, 5) == "busy:" or note == "watched hosts online" or note == "state unknown"
end

--- One cycle. `opts`: {manual=bool, no_sleep=bool}. Returns {code=core.exit_status.ok|failed, ran=bool,
-- reason=string, result=string}.
function core.cycle(opts)
  opts = opts or {}
  ns.manual = opts.manual and true or false -- only the first cycle of a --manual run is manual
  core.cycle_warnings = {}
  if #config.job_order == 0 and not config.routine and #config.host_order == 0 then
    -- A plain script (no hosts, no jobs): its top level was all there was to run.
    return { code = core.exit_status.ok, ran = false, reason = "the script declares no hosts or jobs", result = "skipped" }
  end
  local st = core.state.load()
  if st.status == "corrupt" then
    ns.log.warn("State file was corrupt (%s); kept aside, treating the state as unknown", tostring(st.error))
  end
  if st.night and st.night.running then
    -- We hold the lock, so the night recorded as running belongs to a process that died.
    ns.log.warn("The night that started %s was cut short (its process died): it counts as a failed attempt",
      os.date("%Y-%m-%d %H:%M", math.floor(st.night.running.start)))
    st.night = core.state.night_finished({ result = "interrupted", max_attempts = settings().max_attempts }) or st.night
  end
  ns.log.info("Sweep of %d hosts:", #hosts.others(false))
  local r = sweep("Sweep")
  local recorded = core.state.record_sweep(r)
  -- The trigger and the night decide by this sweep: handlers get it read-only, as the trigger does.
  core.fire("sweep", { hosts = core.readonly(r, "the sweep"), online = watched_online(r) })
  -- Notifications a dead endpoint refused earlier go out before this cycle adds its own.
  outbox.flush()
  -- Staleness - each declared job's max_age; the `stale` event once per day per job.
  local ages = core.job_max_ages()
  for _, ev in ipairs(core.state.declare_jobs(ages)) do
    ns.log.warn("Job %s is stale: its last good backup is %s old (max_age %s)", ev.job, ns.format_duration(ev.age),
      ns.format_duration(ev.max_age))
    core.fire("stale", ev)
  end

  local d = core.defer_gate(core.decision(r, opts.manual, st))
  ns.log.info("Decision: %s - %s", d.run and "back up" or "no backup", d.reason)
  if not d.run then
    local result = #core.cycle_warnings > 0 and "warning" or "skipped"
    local slept
    if st.sleep_pending then
      -- A busy check held the sleep after the night back: try again with this cycle's sweep.
      ns.log.info("Sleep pending since %s (this machine was busy): checking again",
        os.date("%Y-%m-%d %H:%M:%S", math.floor(st.sleep_pending)))
      slept = maybe_sleep(nil, opts, { r = r, recorded = recorded })
      core.state.set_sleep_pending(still_owed(slept))
    end
    core.state.history({ type = "cycle", ran = false, decision = d.reason, sleep = slept, result = result,
      manual = opts.manual })
    return { code = core.exit_status.ok, ran = false, reason = d.reason, result = result }
  end
  core.state.night_started({ window_key = d.window_key, manual = opts.manual and true or false,
    new_series = d.new_series and true or false })

  local night = core.new_night(r, recorded and st.status ~= "corrupt", st)
  -- Site code gets a view: it cannot write what keep_on_reason decides by.
  local public = core.public_night(night)
  core.fire("before_backup", { night = public, reason = d.reason })
  local routine = config.routine or core.default_routine
  local ok, err, timed_out
  if config.routine then
    ok, err, timed_out = core.bounded(settings().hook_timeout, "routine", routine, public)
  else
    ok, err = xpcall(routine, debug.traceback, public)
  end
  local routine_error
  if not ok then
    if core.interrupted() then error(err, 0) end
    local message = timed_out and string.format("routine: timed out after %s (hook_timeout)", ns.format_duration(settings().hook_timeout))
      or core.site_message(err)
    routine_error = message
    ns.log.error("The routine failed: %s", message)
    ns.log.file(tostring(err))
    core.fire("failure", { job = nil, reason = message, log = ns.log.path() })
  end
  night:finish()
  local failed, warned = {}, {}
  for _, name in ipairs(util.keys(night.results)) do
    local res = night.results[name].result
    if res == "failed" then failed[#failed + 1] = name elseif res == "warning" then warned[#warned + 1] = name end
  end
  local code = (#failed > 0 or not ok) and core.exit_status.failed or core.exit_status.ok
  local function result_now()
    return code == core.exit_status.failed and "failed" or ((#warned > 0 or #core.cycle_warnings > 0) and "warning" or "ok")
  end
  -- The night's summary block, in the log and in the after_backup payload.
  local summary = core.summary.lines(night, result_now())
  for _, line in ipairs(summary) do ns.log.info("%s", line) end
  core.fire("after_backup", { night = public, results = public.results, failed = failed, result = result_now(), summary = summary })
  local slept = maybe_sleep(night, opts)
  core.state.set_sleep_pending(slept:sub(1, 5) == "busy:")
  local result = result_now()
  core.state.night_finished({ result = result, max_attempts = settings().max_attempts })
  -- Why it failed, apart from why it started: the failing jobs with their reasons.
  local why_failed = {}
  for _, name in ipairs(failed) do
    local res = night.results[name]
    why_failed[#why_failed + 1] = (res.reason and res.reason ~= "") and (name .. ": " .. res.reason) or name
  end
  if routine_error then why_failed[#why_failed + 1] = "routine: " .. routine_error end
  local failure = #why_failed > 0 and table.concat(why_failed, "; ") or nil
  core.state.history({ type = "cycle", ran = true, decision = d.reason, reason = failure, sleep = slept,
    result = result, manual = opts.manual })
  -- A night that ran to its end leaves no host marked as woken by NightShift.
  core.state.clear_woken()
  if result == "ok" then
    ns.log.info("Night done: all jobs ok")
  elseif result == "warning" then
    local why = {}
    if #warned > 0 then why[#why + 1] = "jobs with warnings: " .. util.join(warned) end
    for _, w in ipairs(core.cycle_warnings) do why[#why + 1] = w end
    ns.log.warn("Night done with warnings: %s", table.concat(why, "; "))
  else
    ns.log.error("Night done: failed: %s", #failed > 0 and util.join(failed) or "routine error")
  end
  return { code = code, ran = true, reason = d.reason, result = result, failure = failure }
end

--- The validated plan as text lines, for `nightshift check`.
function core.plan()
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
    local probe = type(h.probe) == "table" and table.concat(h.probe, "+") or h.probe
    if probe ~= "auto" then flags[#flags + 1] = "probe " .. probe end
    local acts = core.action_names(h)
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
    local w = core.window(s.force_window)
    if w.inside then
      -- Inside the window the next run backs up now: "next opens tomorrow" would contradict it.
      add("  force window %s, open now (until %s)", s.force_window, os.date("%H:%M", math.floor(w["end"])))
    else
      add("  force window %s, next opens %s", s.force_window, os.date("%Y-%m-%d %H:%M", math.floor(w.next)))
    end
  else
    add("  no force window")
  end
  local recognised = config.self_recognised
    and string.format(" (recognised by its address %s: settings.self was not set)", config.self_recognised) or ""
  add("  this machine: %s%s, afterwards: %s", s.self or "(not declared)", recognised, s.self_sleep)
  local arp = core.arp_problem()
  if arp then
    for _, name in ipairs(config.host_order) do
      local h = config.hosts[name]
      local probes = type(h.probe) == "table" and h.probe or { h.probe }
      for _, p in ipairs(probes) do
        if name ~= s.self and (p == "arp" or p == "auto") then
          add("  warning: host %s: probe \"%s\" cannot send ARP here, so %s unknown (never offline: this machine stays awake). %s",
            name, p, p == "auto" and "on its local link it is up when it answers ping, else" or "it is always", arp)
          break
        end
      end
    end
  end
  for _, line in ipairs(core.probe_warnings(config)) do lines[#lines + 1] = line end
  add("  wake timeout %s; log %s; state %s", ns.format_duration(s.wake_timeout), s.log_file, s.state_dir)
  return lines
end

return ns
