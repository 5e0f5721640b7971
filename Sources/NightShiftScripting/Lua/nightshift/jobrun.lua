-- nightshift.jobrun: a job's copy step - its run (an argv, a shell command or a function)
-- in the job's folder and environment, bounded by its timeout, and the answer classified
-- as ok, warning or failed by the exit codes of the copy tool it runs.
local ns, core = ...
local util = core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
core.require "nightshift.hooks"
core.require "nightshift.summary"
core.require "nightshift.view"
local jobrun = {}

local function settings() return config.settings end

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
function jobrun.run_copy(night, job)
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

return jobrun
