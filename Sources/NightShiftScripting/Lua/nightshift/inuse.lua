-- nightshift.inuse: how an in_use check's output reaches the log.
local ns, core = ...

-- Enough lines for `query user` with a few sessions; a chatty check is cut, not copied whole.
local MAX_LINES = 20

--- Logs the output of host `name`'s in_use check `r` (an exec result): its expected answers
--- (exit 0 "in use", exit 1 "nobody", e.g. Windows' "No User exists for *") as info lines,
--- anything else as warnings, since it keeps the host on.
function core.log_in_use_answer(name, r)
  local expected = r.code == 0 or r.code == 1
  local log = expected and ns.log.info or ns.log.warn
  local n = 0
  for _, stream in ipairs({ r.stdout or "", r.stderr or "" }) do
    for line in stream:gmatch("[^\r\n]+") do
      n = n + 1
      if n > MAX_LINES then
        log("%s in_use: ... (more output not logged)", name)
        return
      end
      log("%s in_use: %s", name, line)
    end
  end
end

return true
