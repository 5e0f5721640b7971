-- nightshift.clocksync: a job's clock step - the clocks of its source and target set from
-- the time source (docs/design.md, invariant 13: never a good clock made worse, never a
-- plausible one stepped by more than max_clock_step). The night's sync_time is this.
local ns, core = ...
local config = core.require "nightshift.dsl"
local hosts = core.require "nightshift.hosts"
local hostclock = core.require "nightshift.hostclock"
core.require "nightshift.hooks"
core.require "nightshift.view"
local clocksync = {}

local function settings() return config.settings end

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
function clocksync.sync_time(self, job)
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

return clocksync
