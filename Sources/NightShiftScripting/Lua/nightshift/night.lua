-- nightshift.night: one backup night. The `night` object a routine receives runs
-- jobs (wake, wait, clock sync, copy) and switches targets off again - but never
-- a host that was up at the sweep before the night, came up by itself during it,
-- or reports that somebody is using it (docs/design.md, invariant 1).
local ns, core = ...
local util = core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
local hosts = core.require "nightshift.hosts"
core.require "nightshift.hooks"
local clocksync = core.require "nightshift.clocksync"
local jobrun = core.require "nightshift.jobrun"
local ready = core.require "nightshift.ready"
core.require "nightshift.inuse"
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

--- Starts a night from the sweep made just before it (name -> probe result) and the
-- state loaded at the start of the cycle (hosts NightShift woke earlier are its own).
function core.new_night(sweep, state_known, st)
  local was_up, earlier = {}, {}
  local unknown, arp_only = {}, {}
  for name, r in pairs(sweep) do
    -- A host that could not be probed counts as up (docs/design.md, invariant 8): nobody
    -- can say it was off, so it is never switched off by this night.
    was_up[name] = r.up or r.unknown or false
    if r.unknown and not r.up then unknown[name] = true end
    if r.asleep and not r.up then arp_only[name] = true end
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
    arp_only_at_sweep = arp_only, -- answered ARP alone, no NetBIOS: asleep (ARP offload) or firewalled
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

--- Synchronises clocks for a job: `time_sync = "auto"` is the original rule (nightshift.clocksync).
Night.sync_time = clocksync.sync_time

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
    return jobrun.run_copy(self, job)
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
  -- The stats are the night's own (its summary reads them): a read-only view, like night.results.
  core.fire("after_job", { job = name, result = result, reason = reason, seconds = seconds,
    stats = core.readonly(self.results[name].stats, "stats") })
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
  if self.arp_only_at_sweep[name] and not core.action_of(hosts.get(name), "in_use") then
    -- Counted offline so that a sleeping PC does not hold the night, but the same answer
    -- comes from a PC that is on behind a firewall that drops NetBIOS too: only an in_use
    -- check may say nobody uses it.
    return "it answered only ARP at the sweep before the night (asleep with ARP offload, or on behind "
      .. "a firewall) and has no in_use check to tell that nobody uses it"
  end
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
