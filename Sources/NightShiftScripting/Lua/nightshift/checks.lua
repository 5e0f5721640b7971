-- nightshift.checks: the value checkers of the DSL schemas. Each takes a value from the
-- site script and returns it normalized, or nil and a message; dsl.lua adds the file:line.
-- Swift put the ones whose rule it owns into core.check already (port, wake_repeat,
-- ping_retries, template: the ranges and placeholders the primitives apply).
local ns, core = ...
local util = core.require "nightshift.prelude"
local summary = core.require "nightshift.summary"

local PLACEHOLDERS = { "ip", "user", "name", "epoch", "epoch_frac", "offset" }

local check = core.check

function check.duration(v)
  if type(v) ~= "number" and type(v) ~= "string" then
    return nil, "a duration (\"90s\", \"5m\", \"1h\" or seconds) expected, got " .. type(v)
  end
  return ns.parse.duration(v)
end

function check.window(v)
  if v == false then return false end
  if type(v) ~= "string" then return nil, "a time window like \"03:00-05:00\" expected, got " .. type(v) end
  local ok, err = ns.parse.window(v)
  if not ok then return nil, err end
  return v
end

-- A duration that must be more than zero (a zero timeout would make every probe fail):
-- the range the primitives apply (core.check.seconds).
function check.positive_duration(v)
  local d, err = check.duration(v)
  if d == nil then return nil, err end
  return check.seconds(d)
end

-- Lua's letter escapes, by the byte they make: a control character in a user name is
-- almost always a backslash the site meant literally ("OFFICE\backupadmin").
local ESCAPES = {
  [7] = { "a", "a bell" }, [8] = { "b", "a backspace" }, [9] = { "t", "a tab" }, [10] = { "n", "a newline" },
  [11] = { "v", "a vertical tab" }, [12] = { "f", "a form feed" }, [13] = { "r", "a carriage return" },
}

-- A login name: passed to ssh/net as its own argument, so it must not look like an option.
function check.user(v)
  if type(v) ~= "string" or v == "" then return nil, "a user name expected, got " .. type(v) end
  local at = v:find("%c")
  if at then
    -- Shown as the site wrote it, on one line: each control character as its escape.
    local guessed = true
    local written = v:gsub("%c", function(c)
      local e = ESCAPES[c:byte()]
      if e then return "\\" .. e[1] end
      guessed = false
      return "\\" .. c:byte()
    end)
    local e = ESCAPES[v:byte(at)]
    if guessed then
      return nil, string.format("user name \"%s\" holds a control character, %s (byte %d at position %d): in a Lua string a backslash "
        .. "starts an escape (\"\\%s\" is %s); write the name as [[%s]] or \"%s\"",
        written, e[2], v:byte(at), at, e[1], e[2], written, (written:gsub("\\", "\\\\")))
    end
    return nil, string.format("user name \"%s\" holds a control character (byte %d at position %d): in a Lua "
      .. "string a backslash starts an escape (\"\\b\" is a backspace); write a backslash as in "
      .. "[[OFFICE\\backupadmin]] or \"OFFICE\\\\backupadmin\"", written, v:byte(at), at)
  end
  if v:find("^%-") or v:find("%s") then
    return nil, string.format("invalid user name %q (it must not start with '-' or contain spaces)", v)
  end
  return v
end

-- A job's timeout: the rule ns.exec applies to its own (core.check.timeout).
function check.job_timeout(v)
  local d, err = check.duration(v)
  if d == nil then return nil, err end
  return check.timeout(d)
end

-- A memory size ("512MiB", "1GiB", "64MB" or bytes), 1 MiB .. 64 GiB.
function check.size(v)
  if type(v) ~= "number" and type(v) ~= "string" then
    return nil, "a size (\"512MiB\", \"1GiB\" or bytes) expected, got " .. type(v)
  end
  return ns.parse.size(v)
end

function check.string(v)
  if type(v) ~= "string" or v == "" then return nil, "a non-empty string expected, got " .. (v == "" and "\"\"" or type(v)) end
  -- A NUL would cut the string short at the system call: another file, another host.
  if v:find("\0", 1, true) then return nil, "must not contain a NUL byte" end
  return v
end

function check.boolean(v)
  if type(v) ~= "boolean" then return nil, "true or false expected, got " .. type(v) end
  return v
end

function check.count(v)
  if math.type(v) ~= "integer" or v < 0 then return nil, "a whole number >= 0 expected, got " .. tostring(v) end
  return v
end

function check.positive(v)
  if math.type(v) ~= "integer" or v < 1 then return nil, "a whole number >= 1 expected, got " .. tostring(v) end
  return v
end

function check.enum(options)
  return function(v)
    if type(v) == "string" and util.contains(options, v) then return v end
    local hint = type(v) == "string" and util.suggest(v, options)
    return nil, string.format("one of %s expected, got %s%s", util.join(options, " | "),
      type(v) == "string" and ("\"" .. v .. "\"") or type(v), hint and ("; did you mean \"" .. hint .. "\"?") or "")
  end
end

local function list_of(single)
  return function(v)
    local items = type(v) == "table" and v or { v }
    if type(v) == "table" and #v == 0 then return nil, "a non-empty list expected" end
    local out = {}
    for i, item in ipairs(items) do
      local value, err = single(item)
      if value == nil then return nil, (#items > 1 and ("item " .. i .. ": ") or "") .. err end
      out[i] = value
    end
    return out
  end
end

function check.address(v)
  if type(v) ~= "string" then return nil, "an IP address or host name expected, got " .. type(v) end
  return ns.parse.address(v)
end

function check.ip(v)
  if type(v) ~= "string" then return nil, "an IP address expected, got " .. type(v) end
  return ns.parse.ip(v)
end

function check.ipv4(v)
  if type(v) ~= "string" then return nil, "an IPv4 address expected, got " .. type(v) end
  local ok, err = ns.parse.ip(v)
  if not ok or not v:match("^%d+%.%d+%.%d+%.%d+$") then return nil, err or ("not an IPv4 address: \"" .. v .. "\"") end
  return v
end

function check.password(v)
  if type(v) ~= "string" then return nil, "a SecureOn password (\"AA:BB:CC:DD:EE:FF\" or \"1.2.3.4\") expected, got " .. type(v) end
  local ok, err = ns.parse.password(v)
  if not ok then return nil, err end
  return v
end

function check.mac(v)
  if type(v) ~= "string" then return nil, "a MAC address expected, got " .. type(v) end
  return ns.parse.mac(v)
end

local PROBE_FORMS = "\"icmp\", \"tcp:PORT\", \"arp\" or \"auto\""

local function probe_form(v)
  if type(v) == "string" and check.probe_form(v) then return v end
  return nil, PROBE_FORMS .. " expected, got " .. (type(v) == "string" and ("\"" .. v .. "\"") or type(v))
end

-- A non-empty array whose items `one` accepts: the array, or nil and why. `what` names the
-- items in messages ("probes"), `item` one of them ("probe 2: ...").
local function array_of(v, one, what, empty, item)
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > #v then return nil, "an array of " .. what .. " expected, got key " .. tostring(k) end
  end
  if #v == 0 then return nil, empty end
  for i, x in ipairs(v) do
    local ok, err = one(x)
    if not ok then return nil, item .. " " .. i .. ": " .. err end
  end
  return v
end

-- A probe, or an array of them (up if any answers).
function check.probe(v)
  if type(v) ~= "table" then
    local ok, err = probe_form(v)
    if ok then return ok end
    return nil, err .. " (or an array of these)"
  end
  return array_of(v, probe_form, "probes", "an array of probes (" .. PROBE_FORMS .. ") must not be empty", "probe")
end

local READY_FORMS = "\"auto\", \"none\", \"tcp:PORT\" or an array of \"tcp:PORT\""

local function ready_port(v)
  local port = type(v) == "string" and math.tointeger(tonumber(v:match("^tcp:(%d+)$") or ""))
  if port and port >= 1 and port <= 65535 then return v end
  return nil, "\"tcp:PORT\" (port 1-65535) expected, got " .. (type(v) == "string" and ("\"" .. v .. "\"") or type(v))
end

-- A host's `ready`: TCP ports that must accept a connection before a job acts on it.
function check.ready(v)
  if v == "auto" or v == "none" then return v end
  if type(v) ~= "table" then
    if ready_port(v) then return v end
    return nil, READY_FORMS .. " expected, got " .. (type(v) == "string" and ("\"" .. v .. "\"") or type(v))
  end
  return array_of(v, ready_port, "\"tcp:PORT\"", "an array of \"tcp:PORT\" must not be empty (\"none\": no wait)", "item")
end

function check.argv(v)
  if type(v) ~= "table" or #v == 0 then return nil, "an argv template (array of strings) expected, got " .. type(v) end
  for i, item in ipairs(v) do
    if type(item) ~= "string" then return nil, "argv item " .. i .. " must be a string, got " .. type(item) end
  end
  for k in pairs(v) do
    if math.type(k) ~= "integer" then return nil, "argv template must be an array (unexpected key '" .. tostring(k) .. "')" end
  end
  -- Placeholders, braces and NUL bytes: ArgvTemplate's rule, the one the substitution applies.
  local ok, err = check.template(v, PLACEHOLDERS)
  if not ok then return nil, err end
  return v
end

function check.actions(v)
  if type(v) ~= "table" then return nil, "a table of argv templates expected, got " .. type(v) end
  for name, argv in pairs(v) do
    if type(name) ~= "string" then return nil, "action names must be strings" end
    local _, err = check.argv(argv)
    if err then return nil, "action '" .. name .. "': " .. err end
  end
  return v
end

function check.run(v)
  if type(v) == "function" or type(v) == "string" and v ~= "" then return v end
  if type(v) == "table" then return check.argv(v) end
  return nil, "an argv array, a shell command string or a function expected, got " .. type(v)
end

function check.time_sync(v)
  if type(v) == "function" then return v end
  return check.enum({ "auto", "none" })(v)
end

function check.exit_codes(v)
  if type(v) == "string" then return check.enum(summary.preset_names)(v) end
  if type(v) == "table" then
    for k, codes in pairs(v) do
      if k ~= "ok" and k ~= "warning" then return nil, "exit_codes takes keys ok and warning, got '" .. tostring(k) .. "'" end
      if type(codes) ~= "table" then return nil, "exit_codes." .. k .. " must be an array of integers" end
      for _, c in ipairs(codes) do
        if math.type(c) ~= "integer" then return nil, "exit_codes." .. k .. " must be an array of integers" end
      end
    end
    return v
  end
  return nil, "\"" .. util.join(summary.preset_names, "\", \"") .. "\" or {ok={...}, warning={...}} expected, got " .. type(v)
end

function check.env(v)
  if type(v) ~= "table" then return nil, "a table of strings expected, got " .. type(v) end
  for k, val in pairs(v) do
    if type(k) ~= "string" or (type(val) ~= "string" and type(val) ~= "number") then
      return nil, "env must map names to strings"
    end
    if k:find("\0", 1, true) or tostring(val):find("\0", 1, true) then return nil, "env " .. k .. " contains a NUL byte" end
  end
  return v
end

-- Busy checks and the wake alarm (settings.busy, settings.self_wake) ---------
local READY_BUSY = { "smb", "nfs", "logins", "inhibitors" }

-- A list of checks: ready names, ns.busy.* checks, or functions returning busy, why.
function check.busy(v)
  if type(v) ~= "table" then return nil, "a list of checks expected (ns.busy.smb(), \"smb\", a function), got " .. type(v) end
  local out = {}
  for i, c in ipairs(v) do
    if type(c) == "string" then
      if not util.contains(READY_BUSY, c) then
        local hint = util.suggest(c, READY_BUSY)
        return nil, string.format("item %d: unknown check \"%s\" (one of %s)%s", i, c, util.join(READY_BUSY, " | "),
          hint and ("; did you mean \"" .. hint .. "\"?") or "")
      end
    elseif type(c) ~= "function" and not (type(c) == "table" and type(c.busy_check) == "string" and type(c.run) == "function") then
      return nil, string.format("item %d: a check expected (ns.busy.smb(), \"smb\", a function), got %s", i, type(c))
    end
    out[i] = c
  end
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > #v then return nil, "a list of checks expected (no named fields)" end
  end
  return out
end

-- Gates that hold back an automatic night: ns.defer.* gates or functions returning defer, why.
function check.defer(v)
  if type(v) ~= "table" then return nil, "a list of gates expected (ns.defer.ups{...}, ns.defer.command{...}, a function), got " .. type(v) end
  for k, g in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > #v then return nil, "a list of gates expected (no named fields)" end
    if type(g) ~= "function" and not (type(g) == "table" and type(g.defer_check) == "string" and type(g.run) == "function") then
      return nil, string.format("item %d: a gate expected (ns.defer.ups{...}, ns.defer.command{...}, a function), got %s", k, type(g))
    end
  end
  return v
end

-- "window", "none", a duration after falling asleep, or a function returning an epoch.
function check.self_wake(v)
  if v == "window" or v == "none" or type(v) == "function" then return v end
  local d, err = check.positive_duration(v)
  if d == nil then return nil, "\"window\", \"none\", a duration or a function expected (" .. err .. ")" end
  return d
end

return { list_of = list_of, ready_busy = READY_BUSY }
