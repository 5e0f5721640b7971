-- nightshift.night: one backup night. The `night` object a routine receives runs
-- jobs (wake, wait, clock sync, copy) and switches targets off again - but never
-- a host that was up at the sweep before the night, came up by itself during it,
-- or reports that somebody is using it (docs/design.md, invariant 1).
local ns, core = ...
local util = core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
local hosts = core.require "nightshift.hosts"
local hostclock = core.require "nightshift.hostclock"
local ready = core.require "nightshift.ready"
core.require "nightshift.inuse"
core.require "nightshift.summary"
core.require "nightshift.view"

local Night = {}
Night.__index = Night

local function settings() return config.settings end

--- True when the state says NightShift woke `name` and no sweep has seen it down since.
-- Only a night that was cut short leaves it set (a finished night clears it), and
-- only for a day: after that the host is treated like any other.
function core.woken_earlier(st, name)
  local h = st and st.hosts and st.hosts[name]
  return h ~= nil and h.woken_at ~= nil and ns.now() - h.woken_at < 86400
end

--- The first line of an error, without the embedded library's own locations: a reason
-- names the site script's line or the job, never "nightshift/night.lua:239:".
function core.site_message(err)
  local text = tostring(err):match("^[^\n]*") or ""
  if text == "not enough memory" then return core.memory_error() end
  repeat
    local before = text
    text = text:gsub("^nightshift/[%w_]+%.lua:%d+: ", "")
  until text == before
  return text
end

--- Notes something that makes the cycle's result "warning" (a hook or a notification failed).
function core.warn_cycle(text)
  core.cycle_warnings = core.cycle_warnings or {}
  table.insert(core.cycle_warnings, text)
end

--- Fires every handler of `event` with `payload`, each bounded by hook_timeout. A failing or
-- hung handler is logged on one line (the traceback goes to the log file) and makes the
-- cycle's result "warning"; the night goes on.
function core.fire(event, payload)
  for _, fn in ipairs(config.handlers[event] or {}) do
    local limit = settings().hook_timeout
    local ok, err, timed_out = core.bounded(limit, string.format("handler for %q", event), fn, payload)
    if not ok then
      if core.interrupted() then error(err, 0) end
      local message = timed_out and string.format("timed out after %s (hook_timeout); what it started was stopped",
        ns.format_duration(limit)) or core.site_message(err)
      ns.log.error("handler for %q failed: %s", event, message)
      ns.log.file(tostring(err))
      core.warn_cycle(string.format("handler for %q failed", event))
    end
  end
end

--- Runs `fn(...)` with the time limits of the enclosing site code paused: a routine's
-- night:run(job) is bounded by the job's own settings, not by the routine's hook_timeout.
function core.unbounded(fn, ...)
  local token = core.budget_pause()
  local r = table.pack(pcall(fn, ...))
  core.budget_resume(token)
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

--- Starts a night from the sweep made just before it (name -> probe result) and the
-- state loaded at the start of the cycle (hosts NightShift woke earlier are its own).
function core.new_night(sweep, state_known, st)
  local was_up, earlier = {}, {}
  local unknown = {}
  for name, r in pairs(sweep) do
    -- A host that could not be probed counts as up (docs/design.md, invariant 8): nobody
    -- can say it was off, so it is never switched off by this night.
    was_up[name] = r.up or r.unknown or false
    if r.unknown and not r.up then unknown[name] = true end
    if r.up and core.woken_earlier(st, name) then
      -- This night's sweep is the one rule (invariant 14): a host that answers now may have
      -- a user by now, whoever woke it; only its in_use check can say nobody uses it.
      earlier[name] = true
      ns.log.info("%s is still on from an earlier night that woke it: it answered at the sweep, so it is "
        .. "switched off only if its in_use check says nobody uses it", name)
    end
  end
  return setmetatable({
    sweep = sweep,
    was_up = was_up,          -- up (or unknown) at the sweep before the night
    unknown_at_sweep = unknown, -- could not be probed at that sweep
    state_known = state_known, -- false: the sweep could not be recorded -> no power-off
    woken = {},               -- hosts this night woke (down at its sweep, it sent packets)
    woken_earlier = earlier,  -- up at the sweep, left on by an earlier night that woke them
    came_up = {},             -- hosts that came up during the night without us
    answering = {},           -- name -> address that answered
    pending = {},             -- name -> switch-off mode waiting for the host's last job
    switched_off = {},        -- names switched off this night
    never_answered = {},      -- woken, but never answered: nothing is run on them
    results = {},             -- job name -> {result=, reason=}
    done = {},                -- job name -> true once run
    plan = config.job_order,
  }, Night)
end

local function dry_run_note(fmt, ...)
  ns.log.info("DRY-RUN would " .. fmt, ...)
end

--- Makes sure every host in `names` answers: wakes the ones that are down and waits for them,
-- then waits for their ready ports (ssh), within the same wake_timeout. Returns true, or false
-- and a reason naming the hosts that stayed down and the ports that stayed closed.
function Night:ensure_up(names)
  local others = {}
  for _, name in ipairs(names) do
    if not hosts.is_self(name) and not util.contains(others, name) then others[#others + 1] = name end
  end
  if #others == 0 then return true end
  local now = hosts.probe(others)
  local waiting, answered = {}, {}
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
      -- Woken earlier in a rehearsal: assumed ready as well.
      if not (ns.dry_run and self.woken[name]) then answered[#answered + 1] = name end
    else
      local sent = hosts.wake(name)
      self.woken[name] = true
      core.state.mark_woken(name)
      if ns.dry_run then
        ns.log.info("%s is down: would wake it", name)
      else
        ns.log.info("%s is down: sent %d magic packet(s) to %s", name, sent, util.join(hosts.get(name).mac))
      end
      waiting[#waiting + 1] = name
    end
  end
  local missing, unready = {}, {}
  for _, name in ipairs(waiting) do
    local h = hosts.get(name)
    local timeout = h.wake_timeout or settings().wake_timeout
    if ns.dry_run then
      dry_run_note("wait up to %s for %s to answer (assumed up)", ns.format_duration(timeout), name)
      self.answering[name] = h.ip[1]
      ready.wait(name, h.ip[1], core.mono() + timeout, true)
    else
      local started = core.mono()
      local ok, ip = hosts.wait_up(name, timeout)
      if ok then
        self.answering[name] = ip
        core.state.host_seen(name)
        ns.log.info("%s answers at %s after %.1f s", name, ip, core.mono() - started)
        -- One deadline: the ready ports get what is left of the wake_timeout.
        local fine, why = ready.wait(name, ip, started + timeout, true)
        if not fine then unready[#unready + 1] = why end
      else
        missing[#missing + 1] = name
        self.never_answered[name] = true
        ns.log.error("%s did not answer within %s after the wake-up", name, ns.format_duration(timeout))
        ns.log.info("  hint: check %s's MAC (%s), that Wake-on-LAN is enabled in its firmware and by "
          .. "`ethtool -s <nic> wol g` on it, and that %s faces it", name, util.join(h.mac),
          h.via and ("via = " .. h.via) or (h.interface and ("interface " .. h.interface) or "the NIC that sends the packet (set via)"))
      end
    end
  end
  for _, name in ipairs(answered) do
    -- Up already, but maybe not ready: a PC switched on a minute ago whose sshd still starts.
    local h = hosts.get(name)
    local fine, why = ready.wait(name, self.answering[name], core.mono() + (h.wake_timeout or settings().wake_timeout), false)
    if not fine then unready[#unready + 1] = why end
  end
  local reasons = {}
  if #missing > 0 then
    reasons[1] = string.format("%s did not come up within the wake timeout (%s)", util.join(missing, " and "),
      ns.format_duration(hosts.get(missing[1]).wake_timeout or settings().wake_timeout))
  end
  for _, why in ipairs(unready) do reasons[#reasons + 1] = why end
  if #reasons > 0 then return false, table.concat(reasons, "; ") end
  return true
end

-- The clock offset of host `name` against this machine (theirs - ours, seconds): SNTP, or
-- its get_time action when it serves none. This machine's own offset is 0.
local function offset_of(night, name) return hostclock.offset(night, name) end

-- Whether an argv template uses a placeholder.
local function uses(template, placeholder)
  for _, arg in ipairs(template or {}) do
    if arg:find("{" .. placeholder .. "}", 1, true) then return true end
  end
  return false
end

-- Sets the clock of `name` to the clock of `from`. Never makes a good clock worse: the
-- target's offset is measured first where it serves SNTP, nothing is set within
-- time_tolerance, and the offset left afterwards is measured, logged and recorded.
local function set_clock(night, name, from)
  local source, err = offset_of(night, from)
  if not source and ns.dry_run then
    ns.log.info("DRY-RUN no time from %s yet; showing the clock sync with offset 0", from)
    source = 0
  end
  if not source then return nil, err end
  local tolerance = settings().time_tolerance
  local before, unread = offset_of(night, name)
  if not before and unread and unread:find("refused the time", 1, true) then
    ns.log.warn("The clock of %s is implausible (%s): setting it from %s", name, unread, from)
  end
  -- Invariant 13: a plausible clock is never stepped by more than max_clock_step from one
  -- reference; a clock that cannot be read or believed (a dead RTC answers 2000) is set.
  local now = ns.now()
  local refusal = core.clock_step_refusal(before and now + before or nil, now + source)
  if refusal then
    ns.log.error("Not setting the clock of %s from %s: %s", name, from, refusal)
    return nil, string.format("clock of %s not set from %s: %s", name, from, refusal)
  end
  if before then
    local diff = before - source
    if math.abs(diff) <= tolerance then
      ns.log.info("Clock of %s is within %.3g s of %s (%+.3f s): not set", name, tolerance, from, diff)
      core.state.clock_synced(name, diff)
      return true
    end
  end
  local h = hosts.get(name)
  local template = core.action_of(h, "set_time")
  local done, why
  if hosts.is_self(name) and not template then
    ns.log.info("Setting this machine's clock from %s (offset %+.3f s)", from, source)
    done, why = ns.time.step(source)
    if not done then return nil, why end
  else
    -- The value is the source's clock when the action lands, early by how long this host's
    -- last set_time took (ssh connects first). With whole seconds only ({epoch}), it is sent
    -- at the moment the source's clock reaches the next second, so no rounding adds up.
    night.set_time_latency = night.set_time_latency or {}
    local lead = night.set_time_latency[name] or 0
    local t = ns.now() + source
    local values = { ip = night.answering[name] }
    if uses(template, "offset") then
      -- An adjustment by the measured offset does not age on the way, so no lead is added.
      if not before and ns.dry_run then before = source end
      if not before then
        return nil, string.format("the set_time action of %s adjusts by {offset}, but its clock could not be read (%s)",
          name, tostring(unread))
      end
      values.offset = string.format("%+.3f", source - before)
      ns.log.info("Setting the clock of %s from %s (adjusting by %s s)", name, from, values.offset)
    elseif uses(template, "epoch_frac") or not uses(template, "epoch") then
      values.epoch_frac = string.format("%.3f", t + lead)
      values.epoch = math.floor(t + lead + 0.5)
      ns.log.info("Setting the clock of %s from %s (epoch %s%s)", name, from, values.epoch_frac,
        before and string.format(", was %+.3f s off", before - source) or "")
    else
      local epoch = math.ceil(t + lead)
      if not ns.dry_run and epoch - lead - t > 0.001 then ns.sleep(epoch - lead - t) end
      values.epoch, values.epoch_frac = epoch, string.format("%d.000", epoch)
      ns.log.info("Setting the clock of %s from %s (epoch %d%s)", name, from, epoch,
        before and string.format(", was %+.3f s off", before - source) or "")
    end
    local started = core.mono()
    local r, problem = hosts.run_action(name, "set_time", values)
    if not r then return nil, problem end
    if not r.ok then return nil, string.format("set_time on %s failed (exit %s)", name, tostring(r.code or r.signal)) end
    night.set_time_latency[name] = math.min(2, (core.mono() - started) * 0.9)
  end
  if ns.dry_run then return true end
  -- What is left: measured again (this machine's own offset changes when it was the target).
  local src_after = hosts.is_self(name) and offset_of(night, from) or source
  local dst_after = offset_of(night, name)
  if src_after and dst_after then
    local residual = dst_after - src_after
    ns.log.info("Clock of %s after the sync: %+.3f s from %s", name, residual, from)
    core.state.clock_synced(name, residual)
  else
    ns.log.info("Clock of %s after the sync: not measurable (no SNTP answer and no get_time action)", name)
  end
  return true
end

--- Synchronises clocks for a job: `time_sync = "auto"` is the original rule.
function Night:sync_time(job)
  if job.time_sync == "none" then return true end
  if type(job.time_sync) == "function" then
    local ok, a, b = core.bounded(settings().hook_timeout, "time_sync of job " .. job.name, job.time_sync,
      { job = job.name, source = job.source, target = job.target, night = core.public_night(self) })
    if not ok then
      if core.interrupted() then error(a, 0) end
      return nil, b and string.format("time_sync function timed out after %s (hook_timeout)",
        ns.format_duration(settings().hook_timeout)) or core.site_message(a)
    end
    if a == nil or a == false then return nil, b ~= nil and tostring(b) or "the time_sync function reported failure" end
    return true
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

-- Which exit codes mean ok / warning for a job: its own, else those of the copy tool it runs
-- (core.summary.tool: the one detector, which also reads the tool's counts).
local function exit_codes(job)
  if type(job.exit_codes) == "table" then
    return { ok = job.exit_codes.ok or { 0 }, warning = job.exit_codes.warning or {} }
  end
  if type(job.exit_codes) == "string" then return PRESETS[job.exit_codes] end
  return PRESETS[core.summary.tool(job) or "plain"]
end

--- Maps an exec result to "ok" | "warning" | "failed" and a reason.
function core.classify(job, r)
  if r.timed_out then return "failed", string.format("timed out after %.0f s", r.seconds) end
  if r.signal then return "failed", string.format("killed by signal %d", r.signal) end
  local codes = exit_codes(job)
  if util.contains(codes.ok or {}, r.code) then return "ok", "exit " .. r.code end
  if util.contains(codes.warning or {}, r.code) then return "warning", "exit " .. r.code .. " (warnings)" end
  local tail = (r.stderr or ""):gsub("%s+$", ""):match("([^\n]*)$") or ""
  return "failed", "exit " .. tostring(r.code) .. (tail ~= "" and (": " .. tail) or "")
end

-- A run function's answer as (result, reason): an exec result, true / "ok", "warning",
-- or false / nil / "failed" with a reason. Any other value is reported, never fatal.
local function run_answer(job, r1, r2)
  local reason = r2 ~= nil and tostring(r2) or nil
  if type(r1) == "table" and r1.seconds then return core.classify(job, r1) end
  if r1 == true or r1 == "ok" then return "ok", reason or "done" end
  if r1 == "warning" then return "warning", reason or "warnings" end
  if r1 == false or r1 == nil or r1 == "failed" then return "failed", reason or "the run function reported failure" end
  return "failed", string.format("the run function returned %s %s (expected true, \"warning\", false or an ns.exec result)",
    type(r1), type(r1) == "string" and string.format("%q", r1) or "")
end

-- Runs the job's copy step.
local function run_copy(night, job)
  local cwd = core.job_cwd(job)
  if type(job.run) == "function" then
    -- The job's folder and environment, for the function's own ns.exec calls. Bounded by the
    -- job's timeout, else by hook_timeout: what it started is stopped when the time is up.
    local limit = job.timeout or settings().hook_timeout
    local ok, r1, r2 = core.bounded(limit, "run function of job " .. job.name, job.run, { job = job.name,
      source = job.source, target = job.target, night = core.public_night(night), dry_run = ns.dry_run, cwd = cwd, env = job.env })
    if not ok then
      if core.interrupted() then error(r1, 0) end
      if r2 then
        return "failed", string.format("the run function timed out after %s (%s)", ns.format_duration(limit),
          job.timeout and "the job's timeout" or "hook_timeout")
      end
      ns.log.file(tostring(r1))
      return "failed", core.site_message(r1)
    end
    return run_answer(job, r1, r2)
  end
  local codes = exit_codes(job)
  local accepted = {}
  for _, c in ipairs(codes.ok or {}) do accepted[#accepted + 1] = c end
  for _, c in ipairs(codes.warning or {}) do accepted[#accepted + 1] = c end
  -- Relative paths in `run` (batch files, scripts) are relative to the site script's folder.
  local ok, r = pcall(ns.exec, job.run, { timeout = job.timeout, cwd = cwd, env = job.env,
    log = job.log or "both", ok_codes = accepted })
  if not ok then
    if core.interrupted() then error(r, 0) end
    return "failed", core.site_message(r)
  end
  -- What the copy tool reported; a "success" that found nothing to back up is a warning.
  local result, reason = core.classify(job, r)
  local stats = core.summary.copy_stats(job, r)
  if result == "ok" and not job.allow_empty and core.summary.empty(stats) then
    result, reason = "warning", reason .. ", but it found no file to back up (allow_empty = true accepts that)"
  end
  return result, reason, stats
end

--- Runs one job: wake source and target, wait, sync clocks, copy, then switch-offs.
function Night:run(name)
  local job = config.jobs[name]
  if not job then
    local hint = util.suggest(tostring(name), config.jobs)
    -- Raised at the site routine's line by the method wrapper below.
    error({ caller_error = string.format("unknown job %q%s", tostring(name), hint and ("; did you mean \"" .. hint .. "\"?") or "") })
  end
  ns.log.info("=== Job %s: %s -> %s ===", name, job.source, job.target)
  core.state.job_started(name)
  -- Internal (not an `on` event): per-job start pings of Healthchecks enrolment.
  core.fire("_job_start", { job = name })
  local started = core.mono()
  local ok, result, reason, stats = xpcall(function()
    local up, why = self:ensure_up({ job.source, job.target })
    if not up then return "failed", why end
    local synced, err = self:sync_time(job)
    if not synced then ns.log.warn("Clock sync for %s: %s", name, tostring(err)) end
    return run_copy(self, job)
  end, debug.traceback)
  if not ok then
    if core.interrupted() then error(result, 0) end
    -- The reason (state, history, report) is the message; the traceback goes to the log file.
    ns.log.file(tostring(result))
    result, reason = "failed", core.site_message(result)
  end
  reason = reason ~= nil and tostring(reason) or nil
  local seconds = core.mono() - started
  self.done[name] = true
  self.results[name] = { result = result, reason = reason, seconds = seconds, stats = ok and stats or nil }
  core.state.job_finished(name, result, reason or "", seconds, self.results[name].stats)
  local level = result == "failed" and ns.log.error or (result == "warning" and ns.log.warn or ns.log.info)
  level("Job %s: %s (%s, %.1f s)", name, result, tostring(reason), seconds)
  core.fire("after_job", { job = name, result = result, reason = reason, seconds = seconds, stats = ok and stats or nil })
  if result == "failed" then
    core.fire("failure", { job = name, reason = reason, log = ns.log.path() })
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
  if self.unknown_at_sweep[name] then return "it could not be probed at the sweep before the night (unknown counts as up)" end
  if self.was_up[name] and self.woken_earlier[name] then
    -- Invariant 14: answering at this night's sweep outweighs an earlier night's wake-up.
    if not core.action_of(hosts.get(name), "in_use") then
      return "it was up at the sweep before the night (an earlier night woke it, but it has no in_use check "
        .. "to tell that nobody uses it now)"
    end
    return self:_in_use_reason(name)
  end
  if self.was_up[name] then return "it was up at the sweep before the night (somebody uses it)" end
  if self.came_up[name] then return "it came up during the night by itself" end
  if not self.woken[name] then return "this night did not wake it" end
  if self.never_answered[name] and not self.answering[name] then
    return "it never answered after the wake-up (nothing is run on a host that cannot be reached)"
  end
  return self:_in_use_reason(name)
end

--- Why `name`'s in_use check keeps it on, or nil (nobody uses it, or it has no check).
function Night:_in_use_reason(name)
  if not core.action_of(hosts.get(name), "in_use") then return nil end
  -- Its output is logged here, not as the child's ERR lines: exit 1 with "No User exists
  -- for *" on stderr is Windows' normal "nobody", not an error.
  local r = hosts.run_action(name, "in_use", { ip = self.answering[name] or hosts.get(name).ip[1] },
    { timeout = 30, ok_codes = { 0, 1 }, log = "none" })
  if r and not ns.dry_run then
    core.log_in_use_answer(name, r)
    -- Exit 0: somebody uses it. Exit 1: nobody. Anything else (ssh failed, timeout): we
    -- cannot know, and a machine someone might be working on is never switched off.
    if r.code == 0 then return "its in_use check reports a user" end
    if r.code ~= 1 then
      return string.format("its in_use check failed (%s)", r.timed_out and "timed out" or ("exit " .. tostring(r.code or r.signal)))
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
  ns.log.info(self.woken_earlier[name]
    and "Switching %s off (%s): an earlier night woke it and its in_use check says nobody uses it"
    or "Switching %s off (%s): it was down at the sweep, this night woke it, nobody uses it", name, mode)
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

-- Night methods a site routine calls run with the routine's time limit paused: each has
-- bounds of its own (a job's timeout, wake_timeout, off_timeout).
for _, method in ipairs({ "run", "ensure_up", "sync_time", "switch_off", "wait_switched_off", "finish" }) do
  local raw = Night[method]
  Night[method] = function(...)
    local r = table.pack(pcall(core.unbounded, raw, ...))
    if r[1] then return table.unpack(r, 2, r.n) end
    if type(r[2]) == "table" and r[2].caller_error then error(r[2].caller_error, 2) end
    error(r[2], 0)
  end
end

--- The default routine: every job in declaration order.
function core.default_routine(night)
  for _, name in ipairs(config.job_order) do night:run(name) end
end

return Night
