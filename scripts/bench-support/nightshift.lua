-- A stand-in for the `nightshift` module, so bare lua5.4 can run a site script:
-- scripts/bench compares nightshift's script load with this floor (Lua parsing and
-- running the same file, with no library, no validation). Records; checks nothing.
local M = { actions = {}, report = {} }
local recorded = { settings = {}, hosts = {}, jobs = {}, handlers = {} }
M.recorded = recorded

function M.actions.linux_ssh(opts) return { kind = "linux_ssh", opts = opts } end
function M.actions.windows_ssh(opts) return { kind = "windows_ssh", opts = opts } end
function M.actions.windows_rpc(opts) return { kind = "windows_rpc", opts = opts } end
function M.report.copy_log(dir) return function() return dir end end

-- The site script's globals: `name { ... }` forms return a function taking the table.
function settings(t) recorded.settings = t end
function host(name) return function(t) recorded.hosts[name] = t end end
function job(name) return function(t) recorded.jobs[#recorded.jobs + 1] = { name = name, spec = t } end end
function on(event, fn) recorded.handlers[event] = fn end
function routine(fn) recorded.routine = fn end

return M
