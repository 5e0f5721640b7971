-- nightshift.report: the original's failure report - the night's log copied to a
-- file the office sees - as a ready `failure` hook.
local ns, core = ...
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
