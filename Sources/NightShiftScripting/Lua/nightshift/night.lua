-- nightshift.night: one backup night. The `night` object a routine receives runs
-- jobs (wake, wait, clock sync, copy) and switches targets off again - but never
-- a host that was up at the sweep before the night, came up by itself during it,
-- or reports that somebody is using it (invariant 1).
local ns = ...
local util = ns._util
local config = ns._config
local hosts = ns.hosts

local Night = {}
Night.__index = Night

local function settings() return config.settings end

--- True when the state says NightShift woke `name` and no sweep has seen it down since.
-- Only a night that was cut short leaves it set (a finished night clears it), and
-- only for a day: after that the host is treated like any other.
function ns._woken_earlier(st, name)
  local h = st and st.hosts and st.hosts[name]
  return h ~= nil and h.woken_at ~= nil and ns.now() - h.woken_at < 86400
end

--- Fires every handler of `event` with `payload`; a failing handler is logged, not fatal.
function ns._fire(event, payload)
  for _, fn in ipairs(config.handlers[event] or {}) do
    local ok, err = xpcall(fn, debug.traceback, payload)
    if not ok then ns.log.error("handler for %q failed: %s", event, tostring(err)) end
  end
end

--- Starts a night from the sweep made just before it (name -> probe result) and the
-- state loaded at the start of the cycle (hosts NightShift woke earlier are its own).
function ns._new_night(sweep, state_known, st)
  local was_up, woken = {}, {}
  for name, r in pairs(sweep) do
    was_up[name] = r.up
    if r.up and ns._woken_earlier(st, name) then
      -- Still on from a night that was cut short: NightShift woke it, nobody else did.
      was_up[name], woken[name] = false, true
      ns.log.info("%s is still on from an earlier night that woke it: it counts as woken by NightShift", name)
    end
  end
  return setmetatable({
    sweep = sweep,
    was_up = was_up,          -- up at the sweep before the night
    state_known = state_known, -- false: the sweep could not be recorded -> no power-off
    woken = woken,            -- hosts NightShift woke (they were down, we sent packets)
    came_up = {},             -- hosts that came up during the night without us
    answering = {},           -- name -> address that answered
    pending = {},             -- name -> switch-off mode waiting for the host's last job
    switched_off = {},        -- names switched off this night
    results = {},             -- job name -> {result=, reason=}
    done = {},                -- job name -> true once run
    plan = config.job_order,
  }, Night)
end

local function dry_run_note(fmt, ...)
  ns.log.info("DRY-RUN would " .. fmt, ...)
end

--- Makes sure every host in `names` answers: wakes the ones that are down and waits for them.
-- Returns true, or false and a reason naming the hosts that stayed down.
function Night:ensure_up(names)
  local others = {}
  for _, name in ipairs(names) do
    if not hosts.is_self(name) and not util.contains(others, name) then others[#others + 1] = name end
  end
  if #others == 0 then return true end
  local now = hosts.probe(others)
  local waiting = {}
  for _, name in ipairs(others) do
    if ns.dry_run and self.woken[name] then
      -- Woken earlier in this rehearsal: it would be up by now.
      now[name] = { up = true, ip = self.answering[name] }
    end
    if now[name].up then
      self.answering[name] = now[name].ip
      if self.was_up[name] == false and not self.woken[name] then
        self.came_up[name] = true
        ns.log.info("%s is up (came up during the night by itself: it will be left on)", name)
      else
        ns.log.info("%s is up (%s)", name, now[name].ip)
      end
    else
      local sent = hosts.wake(name)
      self.woken[name] = true
      ns._state.mark_woken(name)
      if ns.dry_run then
        ns.log.info("%s is down: would wake it", name)
      else
        ns.log.info("%s is down: sent %d magic packet(s) to %s", name, sent, util.join(hosts.get(name).mac))
      end
      waiting[#waiting + 1] = name
    end
  end
  local missing = {}
  for _, name in ipairs(waiting) do
    local h = hosts.get(name)
    local timeout = h.wake_timeout or settings().wake_timeout
    if ns.dry_run then
      dry_run_note("wait up to %s for %s to answer (assumed up)", ns.format_duration(timeout), name)
      self.answering[name] = h.ip[1]
    else
      local started = ns.now()
      local ok, ip = hosts.wait_up(name, timeout)
      if ok then
        self.answering[name] = ip
        ns._state.host_seen(name)
        ns.log.info("%s answers at %s after %.1f s", name, ip, ns.now() - started)
      else
        missing[#missing + 1] = name
        ns.log.error("%s did not answer within %s after the wake-up", name, ns.format_duration(timeout))
      end
    end
  end
  if #missing > 0 then
    return false, string.format("%s did not come up within the wake timeout (%s)", util.join(missing, " and "),
      ns.format_duration(hosts.get(missing[1]).wake_timeout or settings().wake_timeout))
  end
  return true
end

-- The clock offset of `from` against this machine (theirs - ours), in seconds.
local function offset_of(night, from)
  if hosts.is_self(from) then return 0 end
  local ip = night.answering[from] or hosts.get(from).ip[1]
  local sample, err = ns.time.query(ip, { timeout = 3 })
  if not sample and ns.dry_run then
    ns.log.info("DRY-RUN no time from %s (%s) yet; showing the clock sync with offset 0", from, ip)
    return 0
  end
  if not sample then return nil, string.format("no time from %s (%s): %s", from, ip, tostring(err)) end
  return sample.offset
end

-- Sets the clock of `name` to the clock of `from`.
local function set_clock(night, name, from)
  local offset, err = offset_of(night, from)
  if not offset then return nil, err end
  local h = hosts.get(name)
  if hosts.is_self(name) and not h.actions.set_time then
    ns.log.info("Setting this machine's clock from %s (offset %+.3f s)", from, offset)
    return ns.time.step(offset)
  end
  -- {epoch} is whole seconds: send the source clock's next full second just before
  -- that second, early by how long this host's last set_time took (ssh connects
  -- first), so the clock lands close to right instead of a rounding plus a delay late.
  night.set_time_latency = night.set_time_latency or {}
  local lead = night.set_time_latency[name] or 0
  local t = ns.now() + offset
  local epoch = math.ceil(t + lead)
  if not ns.dry_run and epoch - lead - t > 0.001 then ns.sleep(epoch - lead - t) end
  ns.log.info("Setting the clock of %s from %s (epoch %d)", name, from, epoch)
  local started = ns.now()
  local r, why = hosts.run_action(name, "set_time", { epoch = epoch, ip = night.answering[name] })
  if not r then return nil, why end
  if not r.ok then return nil, string.format("set_time on %s failed (exit %s)", name, tostring(r.code or r.signal)) end
  night.set_time_latency[name] = math.min(2, (ns.now() - started) * 0.9)
  return true
end

--- Synchronises clocks for a job: `time_sync = "auto"` is the original rule.
function Night:sync_time(job)
  if job.time_sync == "none" then return true end
  if type(job.time_sync) == "function" then
    return job.time_sync({ job = job.name, source = job.source, target = job.target, night = self })
  end
  local src, dst = hosts.get(job.source), hosts.get(job.target)
  if src.time_source then
    if src.name == dst.name then return true end
    return set_clock(self, dst.name, src.name)
  elseif dst.time_source then
    -- The original's rule: this machine, then the source, take the target's time. Each
    -- step is tried on its own, so a refused local step still lets the source be set.
    local errors = {}
    local me = settings().self
    if me and me ~= dst.name then
      local ok, err = set_clock(self, me, dst.name)
      if not ok then errors[#errors + 1] = err end
    end
    if not hosts.is_self(src.name) and src.name ~= dst.name then
      local ok, err = set_clock(self, src.name, dst.name)
      if not ok then errors[#errors + 1] = err end
    end
    if #errors > 0 then return nil, table.concat(errors, "; ") end
  end
  return true
end

local PRESETS = {
  plain = { ok = { 0 } },
  rsync = { ok = { 0 }, warning = { 23, 24 } },
  freefilesync = { ok = { 0 }, warning = { 1 } },
}

-- Which exit codes mean ok / warning for a job: its own, else guessed from the program.
local function exit_codes(job)
  if type(job.exit_codes) == "table" then
    return { ok = job.exit_codes.ok or { 0 }, warning = job.exit_codes.warning or {} }
  end
  if type(job.exit_codes) == "string" then return PRESETS[job.exit_codes] end
  local program = type(job.run) == "table" and job.run[1] or (type(job.run) == "string" and job.run:match("^%s*(%S+)")) or ""
  program = program:match("([^/\\]+)$") or program
  if program:lower():find("rsync", 1, true) then return PRESETS.rsync end
  if program:lower():find("freefilesync", 1, true) then return PRESETS.freefilesync end
  return PRESETS.plain
end

--- Maps an exec result to "ok" | "warning" | "failed" and a reason.
function ns._classify(job, r)
  if r.timed_out then return "failed", string.format("timed out after %.0f s", r.seconds) end
  if r.signal then return "failed", string.format("killed by signal %d", r.signal) end
  local codes = exit_codes(job)
  if util.contains(codes.ok or {}, r.code) then return "ok", "exit " .. r.code end
  if util.contains(codes.warning or {}, r.code) then return "warning", "exit " .. r.code .. " (warnings)" end
  local tail = (r.stderr or ""):gsub("%s+$", ""):match("([^\n]*)$") or ""
  return "failed", "exit " .. tostring(r.code) .. (tail ~= "" and (": " .. tail) or "")
end

-- Runs the job's copy step.
local function run_copy(night, job)
  local cwd = job.cwd or ns._script_dir
  if cwd and cwd:sub(1, 1) ~= "/" and job.cwd then cwd = (ns._script_dir or ".") .. "/" .. cwd end
  if type(job.run) == "function" then
    -- The job's folder and environment, for the function's own ns.exec calls.
    local r1, r2 = job.run({ job = job.name, source = job.source, target = job.target, night = night,
      dry_run = ns.dry_run, cwd = cwd, env = job.env })
    if type(r1) == "table" and r1.seconds then return ns._classify(job, r1) end
    if r1 == true or r1 == "ok" then return "ok", r2 or "done" end
    if r1 == "warning" then return "warning", r2 or "warnings" end
    return "failed", r2 or "the run function reported failure"
  end
  local codes = exit_codes(job)
  local accepted = {}
  for _, c in ipairs(codes.ok or {}) do accepted[#accepted + 1] = c end
  for _, c in ipairs(codes.warning or {}) do accepted[#accepted + 1] = c end
  -- Relative paths in `run` (batch files, scripts) are relative to the site script's folder.
  local r = ns.exec(job.run, { timeout = job.timeout, cwd = cwd, env = job.env,
    log = job.log or "both", ok_codes = accepted })
  return ns._classify(job, r)
end

--- Runs one job: wake source and target, wait, sync clocks, copy, then switch-offs.
function Night:run(name)
  local job = config.jobs[name]
  if not job then
    local hint = util.suggest(tostring(name), config.jobs)
    error(string.format("unknown job %q%s", tostring(name), hint and ("; did you mean \"" .. hint .. "\"?") or ""), 2)
  end
  ns.log.info("=== Job %s: %s -> %s ===", name, job.source, job.target)
  ns._state.job_started(name)
  local started = ns.now()
  local ok, result, reason = xpcall(function()
    local up, why = self:ensure_up({ job.source, job.target })
    if not up then return "failed", why end
    local synced, err = self:sync_time(job)
    if not synced then ns.log.warn("Clock sync for %s: %s", name, tostring(err)) end
    return run_copy(self, job)
  end, debug.traceback)
  if not ok then
    if ns._interrupted() then error(result, 0) end
    -- The reason (state, history, report) is the message; the traceback goes to the log file.
    local text = tostring(result)
    ns.log.file(text)
    result, reason = "failed", text:match("^[^\n]*")
  end
  self.done[name] = true
  self.results[name] = { result = result, reason = reason }
  ns._state.job_finished(name, result, reason or "", ns.now() - started)
  local level = result == "failed" and ns.log.error or (result == "warning" and ns.log.warn or ns.log.info)
  level("Job %s: %s (%s, %.1f s)", name, result, tostring(reason), ns.now() - started)
  ns._fire("after_job", { job = name, result = result, reason = reason })
  if result == "failed" then
    ns._fire("failure", { job = name, reason = reason, log = ns.log.path() })
  end
  self:_release(job)
  return result, reason
end

-- A host is still needed when a job of the plan that has not run yet uses it.
function Night:_needed_later(name)
  for _, jname in ipairs(self.plan) do
    local j = config.jobs[jname]
    if not self.done[jname] and j and (j.source == name or j.target == name) then return true end
  end
  return false
end

function Night:_release(job)
  if job.source_after ~= "none" then self.pending[job.source] = job.source_after end
  -- The target's last job decides what happens to it ("none" included).
  self.pending[job.target] = job.after ~= "none" and job.after or nil
  for _, name in ipairs({ job.source, job.target }) do
    local mode = self.pending[name]
    if mode then
      if self:_needed_later(name) then
        ns.log.info("%s stays on for a later job (then: %s)", name, mode)
      else
        self.pending[name] = nil
        self:switch_off(name, mode)
      end
    end
  end
end

--- Why `name` must not be switched off, or nil when it may be.
function Night:keep_on_reason(name)
  if hosts.is_self(name) then return "it is this machine" end
  if not self.state_known then return "the state is unknown (the sweep could not be recorded)" end
  if self.was_up[name] == nil then return "it was not in the sweep before the night" end
  if self.was_up[name] then return "it was up at the sweep before the night (somebody uses it)" end
  if self.came_up[name] then return "it came up during the night by itself" end
  if not self.woken[name] then return "this night did not wake it" end
  if ns._action_of(hosts.get(name), "in_use") then
    local r = hosts.run_action(name, "in_use", { ip = self.answering[name] }, { timeout = 30, ok_codes = { 0, 1 } })
    if r and not ns.dry_run then
      -- Exit 0: somebody uses it. Exit 1: nobody. Anything else (ssh failed, timeout): we
      -- cannot know, and a machine someone might be working on is never switched off.
      if r.code == 0 then return "its in_use check reports a user" end
      if r.code ~= 1 then
        return string.format("its in_use check failed (%s)", r.timed_out and "timed out" or ("exit " .. tostring(r.code or r.signal)))
      end
    end
  end
  return nil
end

--- Switches `name` off with `mode` ("shutdown" | "suspend" | "hibernate") unless it must stay on.
function Night:switch_off(name, mode)
  local why = self:keep_on_reason(name)
  if why then
    ns.log.info("Leaving %s on: %s", name, why)
    return false, why
  end
  ns.log.info("Switching %s off (%s): it was down at the sweep, this night woke it, nobody uses it", name, mode)
  local r, err = hosts.run_action(name, mode, { ip = self.answering[name] })
  if not r then
    ns.log.error("Cannot switch %s off: %s", name, err)
    return false, err
  end
  if not r.ok and not r.signal then
    -- ssh often loses the connection while the machine goes down: judge by whether it goes down.
    ns.log.warn("%s action on %s exited %s", mode, name, tostring(r.code))
  end
  self.switched_off[#self.switched_off + 1] = name
  return true
end

--- Switches off every host still waiting for its last job (custom routines that skip jobs).
function Night:finish()
  for _, name in ipairs(util.keys(self.pending)) do
    local mode = self.pending[name]
    self.pending[name] = nil
    self:switch_off(name, mode)
  end
end

--- Waits until the hosts switched off this night stop answering (up to off_timeout).
function Night:wait_switched_off()
  if #self.switched_off == 0 or ns.dry_run then return true end
  local deadline = ns.now() + settings().off_timeout
  local still = self.switched_off
  while true do
    local r = hosts.probe(still)
    local next_still = {}
    for _, name in ipairs(still) do if r[name].up then next_still[#next_still + 1] = name end end
    still = next_still
    if #still == 0 then
      ns.log.info("Switched-off hosts are down: %s", util.join(self.switched_off))
      return true
    end
    if ns.now() >= deadline then
      ns.log.warn("Still answering %s after switch-off: %s", ns.format_duration(settings().off_timeout), util.join(still))
      return false
    end
    ns.sleep(1)
  end
end

--- The default routine: every job in declaration order.
function ns._default_routine(night)
  for _, name in ipairs(config.job_order) do night:run(name) end
end

return Night
