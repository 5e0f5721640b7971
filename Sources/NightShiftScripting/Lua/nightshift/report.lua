-- nightshift.report: the original's failure report - the night's log copied to a
-- file the office sees - as a ready `failure` hook.
local ns, core = ...
local config = core.require "nightshift.dsl"
local report = {}
ns.report = report

--- A failure handler that copies this cycle's log to `dir/Backup Job <job> failed.txt`.
function report.copy_log(dir)
  if type(dir) ~= "string" or dir == "" then error("bad argument #1 to 'copy_log' (folder expected)", 2) end
  -- `check` tests that the folder can be written, at this line.
  local info = debug.getinfo(2, "Sl")
  core.report_folders = core.report_folders or {}
  core.report_folders[#core.report_folders + 1] = { path = dir,
    where = info and (info.short_src .. ":" .. tostring(info.currentline)) or "?" }
  -- A later good run of the job marks its report resolved, so staff do not act on
  -- yesterday's failure: the report moves to "... failed (resolved).txt" with a note on top.
  config.handlers.after_job = config.handlers.after_job or {}
  table.insert(config.handlers.after_job, function(ev)
    if ev.result ~= "ok" and ev.result ~= "warning" then return end
    local name = string.format("%s/Backup Job %s failed.txt", dir, ev.job)
    local resolved = string.format("%s/Backup Job %s failed (resolved).txt", dir, ev.job)
    local note = string.format("RESOLVED: job %s backed up %s at %s; the failure below is history.", ev.job,
      ev.result == "ok" and "fine" or "with warnings", os.date("%Y-%m-%d %H:%M"))
    local was, err = core.resolve_report(name, resolved, note)
    if was then
      ns.log.info("Failure report of job %s marked resolved: %s", ev.job, resolved)
    elseif was == nil then
      ns.log.error("Cannot mark the failure report %s resolved: %s", name, tostring(err))
    end
  end)
  return function(ev)
    local name = string.format("%s/Backup Job %s failed.txt", dir, ev.job or "routine")
    local text = core.cycle_log()
    local ok, err = core.write_file(name, string.format("%s\nReason: %s\nLog: %s\n", text, tostring(ev.reason), tostring(ev.log)))
    if ok then
      if not ns.dry_run then ns.log.info("Failure report written to %s", name) end
    else
      ns.log.error("Cannot write the failure report %s: %s", name, tostring(err))
    end
  end
end

return report
