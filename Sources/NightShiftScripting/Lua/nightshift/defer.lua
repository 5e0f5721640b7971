-- nightshift.defer: gates that hold back an automatic night (settings.defer) - a UPS on
-- battery, a metered uplink, a maintenance flag. A gate answers defer (true) or go (false)
-- with a reason; one that cannot answer (nil, an error, its time ran out) defers too,
-- saying why: a night started on a dying battery is worse than a night one hour late.
-- `--manual` ignores them.
local ns, core = ...
core.require "nightshift.prelude"
local hints = core.require "nightshift.hints"
local config = core.require "nightshift.dsl"
local defer = {}
ns.defer = defer

local function gate(name, run) return { defer_check = name, run = run } end

local function first_line(text)
  return (((text or ""):match("^%s*([^\n]*)") or ""):gsub("%s+$", ""))
end

-- Runs argv for a gate: the result table, or nil and why it could not run.
local function query(argv, timeout)
  local ok, r = pcall(ns.exec, argv, { timeout = timeout, log = "none", ok_codes = { 0 } })
  if not ok then
    if core.interrupted() then error(r, 0) end
    return nil, core.site_message(r)
  end
  if r.timed_out then return nil, string.format("%s timed out after %s", argv[1], ns.format_duration(timeout)) end
  return r
end

--- Defers while the NUT UPS `ups` ("NAME@HOST[:PORT]", asked with upsc) is on battery or low.
function defer.ups(o)
  hints.options("ups", o, { "ups", "timeout" }, 2)
  local name = o.ups
  if type(name) ~= "string" or not (name:match("^[%w_.-]+@[%w_.-]+$") or name:match("^[%w_.-]+@[%w_.-]+:%d+$")
      or name:match("^[%w_.-]+@%[[%x:.]+%]:?%d*$")) then
    error(string.format("bad argument #1 to 'ups' (field 'ups' must be \"NAME@HOST[:PORT]\", got %s)",
      type(name) == "string" and string.format("%q", name) or type(name)), 2)
  end
  local timeout = hints.seconds_field("ups", o, "timeout", 15, 2)
  return gate("UPS " .. name, function()
    local r, err = query({ "upsc", name }, timeout)
    if not r then
      if err:find("cannot start", 1, true) then return nil, "upsc is not installed (Debian: nut-client)" end
      return nil, err
    end
    if r.dry_run then return false, "not asked (dry run)" end
    if not r.ok then
      return nil, "upsc " .. name .. ": " .. first_line(r.stderr ~= "" and r.stderr or r.stdout)
    end
    local s = core.defer.upsc(r.stdout)
    if not s then return nil, "upsc " .. name .. " reported no ups.status" end
    -- upsd says WAIT until its driver delivered data: nobody knows the battery yet.
    for _, f in ipairs(s.flags) do
      if f == "WAIT" then return nil, "upsd has no data from the UPS driver yet (WAIT)" end
    end
    local charge = s.charge and string.format(", %d %%", math.floor(s.charge + 0.5)) or ""
    if s.low_battery then return true, string.format("UPS %s battery low%s", name, charge) end
    if s.on_battery then return true, string.format("UPS %s on battery%s", name, charge) end
    return false, string.format("UPS %s %s%s", name, table.concat(s.flags, " "), charge)
  end)
end

--- Asks a program: exit 0 go; exit 1 defer, its first output line the reason; anything else
-- cannot tell (defers). `ns.defer.command{ {"prog", "arg"} }` or `ns.defer.command{"prog", "arg"}`.
function defer.command(o)
  hints.options("command", o, { "timeout" }, 2, "argv")
  local argv = type(o[1]) == "table" and o[1] or o
  local list = {}
  for i = 1, #argv do
    if type(argv[i]) ~= "string" then error(string.format("bad argument #1 to 'command' (argv item %d must be a string)", i), 2) end
    list[i] = argv[i]
  end
  if #list == 0 then error("bad argument #1 to 'command' (an argv array expected)", 2) end
  local timeout = hints.seconds_field("command", o, "timeout", 60, 2)
  return gate(list[1], function()
    local r, err = query(list, timeout)
    if not r then return nil, err end
    if r.dry_run then return false, "not asked (dry run)" end
    local line = first_line(r.stdout ~= "" and r.stdout or r.stderr)
    if r.code == 0 then return false, line ~= "" and line or "exit 0" end
    if r.code == 1 then return true, line ~= "" and line or (list[1] .. " said wait (exit 1)") end
    return nil, string.format("%s%s", r.code and ("exit " .. r.code) or ("signal " .. tostring(r.signal)),
      line ~= "" and (": " .. line) or "")
  end)
end

--- Applies settings.defer to decision `d` of an automatic cycle: the first gate that defers
-- (or cannot tell) turns it into "no backup" with the gate's reason.
function core.defer_gate(d)
  local gates = config.settings.defer or {}
  if not d.run or #gates == 0 then return d end
  if ns.manual then
    ns.log.info("Defer checks not asked: --manual")
    return d
  end
  local limit = config.settings.hook_timeout
  for _, g in ipairs(gates) do
    local name = type(g) == "table" and g.defer_check or "function"
    local run = type(g) == "table" and g.run or g
    local ok, verdict, why = core.bounded(limit, "defer check " .. name, run)
    local reason
    if not ok then
      if core.interrupted() then error(verdict, 0) end
      reason = string.format("deferred - cannot tell (%s: %s)", name, why and
        string.format("timed out after %s (hook_timeout)", ns.format_duration(limit)) or core.site_message(verdict))
    elseif verdict == nil then
      reason = string.format("deferred - cannot tell (%s: %s)", name, tostring(why or "no answer"))
    elseif verdict then
      reason = "deferred - " .. tostring(why or name)
    else
      ns.log.info("Defer check %s: go (%s)", name, tostring(why or "-"))
    end
    if reason then
      ns.log.info("Defer check %s: %s", name, reason)
      return { run = false, reason = reason, window_key = d.window_key, deferred = true }
    end
  end
  return d
end

return defer
