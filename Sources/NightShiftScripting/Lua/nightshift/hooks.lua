-- nightshift.hooks: how the library runs site code - every handler of an event bounded by
-- hook_timeout, a failure logged on one line and counted as a warning, and errors shown
-- as the site script's message rather than the embedded library's location.
local ns, core = ...
local config = core.require "nightshift.dsl"

local function settings() return config.settings end

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
