-- nightshift.dsl: the words a site script is written in - settings{}, host "x" {},
-- job "x" {}, on(event, fn), routine(fn), trigger(fn) - and their validation.
-- Every problem is collected with the script's file:line so `nightshift check`
-- can list them all at once; nothing runs while any is left.
local ns, core = ...
local util = core.require "nightshift.prelude"
local hints = core.require "nightshift.hints"
local selfhost = core.require "nightshift.selfhost"

local config = {
  settings = {},
  hosts = {}, host_order = {},
  jobs = {}, job_order = {},
  handlers = {},
  errors = {},
  routine = nil, trigger = nil,
}
core.config = config

local EVENTS = { "sweep", "before_backup", "after_job", "after_backup", "failure", "before_sleep", "stale" }
-- `self_sleep` / `after`: a sleep mode (core.power_modes, the list Swift's PowerAction holds) or "none".
local SLEEP_MODES = { "none" }
for i, mode in ipairs(core.power_modes) do table.insert(SLEEP_MODES, i, mode) end
local PLACEHOLDERS = { "ip", "user", "name", "epoch", "epoch_frac", "offset" }

-- Locations -----------------------------------------------------------------

local source_lines = {}
local script_path, script_display

--- Remembers the site script's real path and the name its chunk is shown as.
function core.set_script(path, display)
  script_path, script_display = path, display
  core.script_dir = path:match("^(.*)/[^/]*$") or "."
end

local function lines_of(file)
  if source_lines[file] == nil then
    local lines = {}
    local f = io.open(file == script_display and script_path or file, "r")
    if f then
      for l in f:lines() do lines[#lines + 1] = l end
      f:close()
    end
    source_lines[file] = lines
  end
  return source_lines[file]
end

-- The caller of a DSL word, `level` frames up: {file=, line=}.
local function caller(level)
  local info = debug.getinfo(level + 1, "Sl")
  local file = info and info.source:sub(1, 1) == "@" and info.source:sub(2) or (info and info.short_src) or "?"
  return { file = file, short = file, line = info and info.currentline or 0 }
end

-- Whether line `l` assigns `key` (`key = ...` at its start or after `{`, `,` or `;`).
-- Plain string search: a key is arbitrary text (it may be made of pattern characters).
local function assigns(l, key)
  local from = 1
  while true do
    local i, j = l:find(key, from, true)
    if not i then return false end
    local before = l:sub(1, i - 1):gsub("%s+$", "")
    local after = l:sub(j + 1):gsub("^%s+", "")
    local last = before:sub(-1)
    if (before == "" or last == "{" or last == "," or last == ";") and after:sub(1, 1) == "=" and after:sub(2, 2) ~= "=" then
      return true
    end
    from = i + 1
  end
end

-- The line of `key = ...` inside the block that starts at `loc`, else the block's line.
local function key_location(loc, key)
  if type(key) ~= "string" or #key > 64 or key == "" then return loc end
  local lines = lines_of(loc.file)
  for i = loc.line, math.min(#lines, loc.line + 300) do
    local l = lines[i]
    if #l <= 2000 then
      if i > loc.line and (l:match("^%s*host%s*[%(\"']") or l:match("^%s*job%s*[%(\"']") or l:match("^%s*settings%s*[{(]")) then
        break
      end
      if assigns(l, key) then return { file = loc.file, short = loc.short, line = i } end
    end
  end
  return loc
end

local function fail(loc, fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  config.errors[#config.errors + 1] = { where = loc.short .. ":" .. loc.line, message = msg }
end

-- Value checkers: return the normalized value, or nil and a message -----------
-- Swift put the ones whose rule it owns into core.check already (port, wake_repeat,
-- ping_retries, template: the ranges and placeholders the primitives apply).

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

-- A login name: passed to ssh/net as its own argument, so it must not look like an option.
function check.user(v)
  if type(v) ~= "string" or v == "" then return nil, "a user name expected, got " .. type(v) end
  local at = v:find("%c")
  if at then
    -- Lua reads "OFFICE\backupadmin" as OFFICE, a backspace, "ackupadmin": say so, and how
    -- to write a backslash.
    return nil, string.format("user name %q holds a control character (byte %d at position %d): in a Lua "
      .. "string a backslash starts an escape (\"\\b\" is a backspace); write the name as [[OFFICE\\backupadmin]] "
      .. "or \"OFFICE\\\\backupadmin\"", v, v:byte(at), at)
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

-- A probe, or an array of them (up if any answers).
function check.probe(v)
  if type(v) ~= "table" then
    local ok, err = probe_form(v)
    if ok then return ok end
    return nil, err .. " (or an array of these)"
  end
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > #v then return nil, "an array of probes expected, got key " .. tostring(k) end
  end
  if #v == 0 then return nil, "an array of probes (" .. PROBE_FORMS .. ") must not be empty" end
  for i, item in ipairs(v) do
    local ok, err = probe_form(item)
    if not ok then return nil, "probe " .. i .. ": " .. err end
  end
  return v
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
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > #v then return nil, "an array of \"tcp:PORT\" expected, got key " .. tostring(k) end
  end
  if #v == 0 then return nil, "an array of \"tcp:PORT\" must not be empty (\"none\": no wait)" end
  for i, item in ipairs(v) do
    local ok, err = ready_port(item)
    if not ok then return nil, "item " .. i .. ": " .. err end
  end
  return v
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
  if type(v) == "string" then return check.enum({ "plain", "rsync", "freefilesync" })(v) end
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
  return nil, "\"plain\", \"rsync\", \"freefilesync\" or {ok={...}, warning={...}} expected, got " .. type(v)
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

-- Schemas -------------------------------------------------------------------

local SCHEMA = {
  settings = {
    check_every = check.positive_duration,
    force_window = check.window,
    self = check.string,
    self_sleep = check.enum(SLEEP_MODES),
    wake_timeout = check.positive_duration,
    off_timeout = check.duration,
    log_file = check.string,
    state_dir = check.string,
    offline_sweeps = check.positive,
    min_interval = check.duration,
    max_attempts = check.positive,
    hook_timeout = check.positive_duration,
    time_tolerance = check.duration,
    max_clock_step = check.positive_duration,
    lua_memory = check.size,
    ping_timeout = check.positive_duration,
    ping_retries = check.ping_retries,
    wake_repeat = check.wake_repeat,
    actions = check.actions,
    -- v2 observability
    max_age = check.positive_duration,
    metrics = check.string,
    busy = check.busy,
    self_wake = check.self_wake,
    self_wake_early = check.duration,
    rtc = check.string,
    -- v3: the office status page
    site = check.string,
    status_page = check.string,
    defer = check.defer,
    history_keep = check.positive_duration,
  },
  host = {
    ip = list_of(check.address),
    mac = list_of(check.mac),
    via = check.ip,
    interface = check.string,
    broadcast = check.ipv4,
    wol_port = check.port,
    password = check.password,
    user = check.user,
    watch = check.boolean,
    time_source = check.boolean,
    probe = check.probe,
    actions = check.actions,
    wake_timeout = check.positive_duration,
    ready = check.ready,
  },
  job = {
    source = check.string,
    target = check.string,
    run = check.run,
    after = check.enum(SLEEP_MODES),
    source_after = check.enum(SLEEP_MODES),
    time_sync = check.time_sync,
    exit_codes = check.exit_codes,
    timeout = check.job_timeout,
    cwd = check.string,
    env = check.env,
    log = check.enum({ "file", "both", "console", "none" }),
    -- v2 observability
    max_age = check.positive_duration,
    allow_empty = check.boolean,
  },
}
core.schema = SCHEMA

local DEFAULTS = {
  check_every = 3600,
  self_sleep = "none",
  wake_timeout = 180,
  off_timeout = 120,
  log_file = "nightshift.log",
  state_dir = "state",
  offline_sweeps = 1,
  min_interval = 43200,
  max_attempts = 3,
  hook_timeout = 300,
  time_tolerance = 0.5,
  max_clock_step = 86400,
  lua_memory = 536870912,
  ping_timeout = 1,
  ping_retries = 1,
  wake_repeat = 3,
  actions = {},
  max_age = 129600, -- 36h
  busy = READY_BUSY,
  -- self_wake has no fixed default: "window" when force_window is set, else "none" (busy.lua).
  self_wake_early = 300,
  rtc = "/sys/class/rtc/rtc0",
  defer = {},
  history_keep = 34560000, -- 400d
}
-- The one home of every setting's default: Swift reads the validated settings, never its own.
core.defaults = DEFAULTS
-- The cap while the site script's top level runs, until its settings{} sets lua_memory.
core.lua_memory(DEFAULTS.lua_memory)

local function apply_schema(kind, what, loc, tbl, out)
  local schema = SCHEMA[kind]
  for key, value in pairs(tbl) do
    local checker = type(key) == "string" and schema[key]
    if not checker then
      fail(type(key) == "string" and key_location(loc, key) or loc, "%s: unknown key '%s'%s", what, tostring(key),
        hints.did_you_mean(key, schema))
    else
      local normalized, err = checker(value)
      if normalized == nil then
        out._bad = out._bad or {}
        out._bad[key] = true
        fail(key_location(loc, key), "%s: %s: %s", what, key, err)
      else
        out[key] = normalized
      end
    end
  end
  return out
end

local function check_name(word, name, loc)
  if type(name) ~= "string" or not name:match("^[%w_][%w_.%-]*$") then
    fail(loc, "%s: the name must be letters, digits, '_', '-' or '.' (not starting with '-' or '.'), got %s", word,
      type(name) == "string" and ("\"" .. name .. "\"") or type(name))
    return false
  end
  return true
end

-- The DSL words ---------------------------------------------------------------

local settings_seen
--- Site-wide settings (once per script).
function settings(tbl)
  local loc = caller(2)
  if type(tbl) ~= "table" then return fail(loc, "settings: a table expected, got %s", type(tbl)) end
  if settings_seen then fail(loc, "settings: given twice (first at %s)", settings_seen) end
  settings_seen = loc.short .. ":" .. loc.line
  apply_schema("settings", "settings", loc, tbl, config.settings)
  -- The cap applies from here on: to the rest of the top level and to the whole cycle.
  if config.settings.lua_memory then core.lua_memory(config.settings.lua_memory) end
end

-- A named declaration (`host "x" {...}`, `job "x" {...}`): checks the name, the table
-- and duplicates, applies the schema, then `complete` fills defaults and registers it.
local unfinished = {}  -- `host "x"` written without its table: reported by _validate

local function declaration(word, registry, order, complete)
  return function(name)
    local loc = caller(2)
    local key = {}
    unfinished[key] = { word = word, name = name, loc = loc }
    return function(tbl)
      unfinished[key] = nil
      if not check_name(word, name, loc) then return end
      if type(tbl) ~= "table" then return fail(loc, "%s \"%s\": a table expected, got %s", word, name, type(tbl)) end
      if registry[name] then
        return fail(loc, "%s \"%s\" is declared twice (first at %s)", word, name, registry[name].where)
      end
      local entry = apply_schema(word, word .. " \"" .. name .. "\"", loc, tbl,
        { name = name, where = loc.short .. ":" .. loc.line, loc = loc })
      complete(entry, tbl, loc)
      registry[name] = entry
      order[#order + 1] = name
      return entry
    end
  end
end

--- Declares a machine: `host "Name" { ip = ..., mac = ..., ... }`.
host = declaration("host", config.hosts, config.host_order, function(h, tbl)
  -- A host that sets `actions` gets exactly those, never mixed with settings.actions.
  h.own_actions = tbl.actions ~= nil
  h.ip, h.mac, h.actions = h.ip or {}, h.mac or {}, h.actions or {}
  if h.watch == nil then h.watch = true end
  h.time_source = h.time_source or false
  -- "auto": ICMP, plus ARP where the address is on a local link (PCs that drop ping).
  h.probe = h.probe or "auto"
  -- "auto": the ports of its ssh actions (nightshift.ready), known once settings.actions is.
  h.ready = h.ready or "auto"
end)

--- Declares a backup job: `job "Name" { source = ..., target = ..., run = ..., after = ... }`.
job = declaration("job", config.jobs, config.job_order, function(j, tbl, loc)
  for _, required in ipairs({ "source", "target", "run" }) do
    if tbl[required] == nil then fail(loc, "job \"%s\": missing '%s'", j.name, required) end
  end
  j.after = j.after or "none"
  j.source_after = j.source_after or "none"
  j.time_sync = j.time_sync or "auto"
end)

--- Adds a handler for an event (sweep, before_backup, after_job, after_backup, failure, before_sleep, stale).
function on(event, fn)
  local loc = caller(2)
  if not util.contains(EVENTS, event) then
    local hint = type(event) == "string" and util.suggest(event, EVENTS)
    return fail(loc, "on: unknown event %s (events: %s)%s", type(event) == "string" and ("\"" .. event .. "\"") or type(event),
      util.join(EVENTS), hint and ("; did you mean \"" .. hint .. "\"?") or "")
  end
  if type(fn) ~= "function" then return fail(loc, "on(\"%s\"): a function expected, got %s", event, type(fn)) end
  config.handlers[event] = config.handlers[event] or {}
  table.insert(config.handlers[event], fn)
end

--- Replaces the default job sequence: `routine(function(night) night:run("Job") end)`.
function routine(fn)
  local loc = caller(2)
  if type(fn) ~= "function" then return fail(loc, "routine: a function expected, got %s", type(fn)) end
  config.routine = fn
end

--- Replaces the default trigger policy: `trigger(function(t) return bool, reason end)`.
function trigger(fn)
  local loc = caller(2)
  if type(fn) ~= "function" then return fail(loc, "trigger: a function expected, got %s", type(fn)) end
  config.trigger = fn
end

-- Validation across declarations (after the script has run) ---------------------

-- The action `name` of host `h`: its own actions when it sets any (exactly those), else
-- settings.actions - except for this machine, which only ever runs its own.
local function action_of(h, name)
  if h.own_actions or h.name == config.settings.self then return h.actions[name] end
  return (config.settings.actions or {})[name]
end

--- The names of the actions host `h` has, sorted.
function core.action_names(h)
  local names = {}
  local set = (h.own_actions or h.name == config.settings.self) and h.actions or (config.settings.actions or {})
  for k in pairs(set) do names[#names + 1] = k end
  table.sort(names)
  return names
end
core.action_of = action_of

--- The validated settings table, for the Swift side (which needs it alone, not the whole
--- configuration with every host, job and handler converted).
function core.site_settings() return config.settings end

--- Where each path the night writes is given: {key=, path=, where="file:line"} for the settings
--- that name one (state_dir, log_file, metrics, status_page) and every report.copy_log folder.
function core.write_paths()
  local out = {}
  local sloc = settings_seen and { file = settings_seen:match("^(.*):%d+$"), short = settings_seen:match("^(.*):%d+$"),
    line = tonumber(settings_seen:match(":(%d+)$")) }
  for _, key in ipairs({ "state_dir", "log_file", "metrics", "status_page" }) do
    if type(config.settings[key]) == "string" then
      local loc = sloc and key_location(sloc, key)
      out[#out + 1] = { key = key, path = config.settings[key], where = loc and (loc.short .. ":" .. loc.line) or "settings" }
    end
  end
  for _, r in ipairs(core.report_folders or {}) do
    out[#out + 1] = { key = "report", path = r.path, where = r.where }
  end
  return out
end

--- The folder a job runs in: its `cwd` (a relative one against the script's folder), else the
-- script's folder. `check` looks for the program there and the night runs it there.
function core.job_cwd(j)
  if not j.cwd then return core.script_dir end
  if j.cwd:sub(1, 1) == "/" then return j.cwd end
  return (core.script_dir or ".") .. "/" .. j.cwd
end

--- settings.site, else this machine's hostname: the one home of that default (a
-- hostname cannot sit in DEFAULTS, which documents fixed values).
function core.site_name() return config.settings.site or ns.hostname() end

--- The declared jobs and hosts (this machine left out) in script order, for the status page.
function core.page_order()
  local hosts = {}
  for _, name in ipairs(config.host_order) do
    if name ~= config.settings.self then hosts[#hosts + 1] = name end
  end
  return { jobs = config.job_order, hosts = hosts }
end

--- Each declared job's max_age: its own, else settings.max_age (after validation).
function core.job_max_ages()
  local ages = {}
  for _, name in ipairs(config.job_order) do ages[name] = config.jobs[name].max_age or config.settings.max_age end
  return ages
end

function core.validate()
  local s = config.settings
  for k, v in pairs(DEFAULTS) do if s[k] == nil then s[k] = v end end
  local sloc = { short = settings_seen and settings_seen:match("^(.*):%d+$") or "?", line = settings_seen and tonumber(settings_seen:match(":(%d+)$")) or 0 }
  sloc.file = sloc.short

  -- No `self`: the host with one of this machine's addresses is this machine.
  config.self_recognised = nil
  if s.self == nil then
    local name, detail, loc = selfhost.recognise(config.hosts, config.host_order)
    if name then
      s.self, config.self_recognised = name, detail
    elseif detail then
      fail(loc or sloc, "%s", detail)
    end
  end

  for _, u in pairs(unfinished) do
    fail(u.loc, "%s \"%s\" has no table (write %s \"%s\" { ... })", u.word, tostring(u.name), u.word, tostring(u.name))
  end
  if s.self and not config.hosts[s.self] then
    local hint = util.suggest(s.self, config.hosts)
    fail(sloc, "settings: self: unknown host \"%s\"%s", s.self, hint and ("; did you mean \"" .. hint .. "\"?") or "")
  end
  for _, name in ipairs(config.host_order) do
    local h = config.hosts[name]
    if name ~= s.self and #h.ip == 0 and not (h._bad and h._bad.ip) then fail(h.loc, "host \"%s\": missing 'ip' (needed to probe it)", name) end
    -- ARP has no IPv6 form (that is neighbour discovery): an IPv6-only host asked only by ARP
    -- could never be seen up.
    local probes = type(h.probe) == "table" and h.probe or { h.probe }
    local only_arp = true
    for _, p in ipairs(probes) do if p ~= "arp" then only_arp = false end end
    if only_arp and not (h._bad and (h._bad.ip or h._bad.probe)) then
      for i, ip in ipairs(h.ip) do
        if ip:find(":", 1, true) then
          fail(h.loc, "host \"%s\": probe \"arp\" reaches IPv4 addresses only, but ip %d is \"%s\" (use \"auto\" or add \"icmp\")", name, i, ip)
        end
      end
    end
  end

  local function host_ref(j, role)
    local hname = j[role]
    if hname == nil then return nil end
    local h = config.hosts[hname]
    if not h then
      local hint = util.suggest(hname, config.hosts)
      fail(key_location(j.loc, role), "job \"%s\": %s: unknown host \"%s\"%s", j.name, role, hname,
        hint and ("; did you mean \"" .. hint .. "\"?") or "")
    end
    return h
  end

  for _, jname in ipairs(config.job_order) do
    local j = config.jobs[jname]
    local src, dst = host_ref(j, "source"), host_ref(j, "target")
    for role, h in pairs({ source = src, target = dst }) do
      if h and h.name ~= s.self and #h.mac == 0 and not (h._bad and h._bad.mac) then
        fail(key_location(j.loc, role), "job \"%s\": %s \"%s\" has no way to be woken (give host \"%s\" a 'mac')",
          jname, role, h.name, h.name)
      end
    end
    for role, key in pairs({ target = "after", source = "source_after" }) do
      local h
      if role == "target" then h = dst else h = src end
      local mode = j[key]
      if h and mode ~= "none" and h.name ~= s.self and not action_of(h, mode) then
        fail(key_location(j.loc, key), "job \"%s\": %s = \"%s\" but host \"%s\" has no '%s' action (add actions.%s, or settings{actions=...})",
          jname, key, mode, h.name, mode, mode)
      end
    end
    -- Every action this job will run must have the values its placeholders need.
    local function needs_user(h, action)
      local t = h and h.name ~= s.self and action_of(h, action)
      -- A refused user already has its error: no second one about {user}.
      if not t or h.user or (h._bad and h._bad.user) then return end
      for _, arg in ipairs(t) do
        if arg:find("{user}", 1, true) then
          fail(h.loc, "host \"%s\": its '%s' action uses {user}, but the host has no 'user'", h.name, action)
          return
        end
      end
    end
    if dst then needs_user(dst, j.after); needs_user(dst, "in_use") end
    if src then needs_user(src, j.source_after) end
    if src and dst and j.time_sync == "auto" then
      local needs = {}
      if src.time_source then needs[#needs + 1] = dst
      elseif dst.time_source then needs[#needs + 1] = src end
      for _, h in ipairs(needs) do
        if h.name ~= s.self and not action_of(h, "set_time") then
          fail(key_location(j.loc, "time_sync"), "job \"%s\": time_sync = \"auto\" must set the clock of \"%s\", which has no 'set_time' action (add one, or time_sync = \"none\")",
            jname, h.name)
        end
      end
    end
  end
  -- What the night will run must be there: the programs of argv jobs, and the ssh keys
  -- named by the actions in use (a missing or world-readable key fails every action at night).
  for _, jname in ipairs(config.job_order) do
    local j = config.jobs[jname]
    if type(j.run) == "table" and type(j.run[1]) == "string" then
      local found, why = core.find_program(j.run[1], core.job_cwd(j), j.env and j.env.PATH or nil)
      if not found then
        fail(key_location(j.loc, "run"), "job \"%s\": run: program \"%s\" %s", jname, j.run[1], why)
      end
    end
  end
  local keys_seen = {}
  local function check_secret(path, what, loc, owner)
    -- {{ and }} are literal braces; a path with a real placeholder is only known at night.
    local literal = path:gsub("{{", "\1"):gsub("}}", "\2")
    if literal:find("[{}]") then return end
    path = literal:gsub("\1", "{"):gsub("\2", "}")
    if keys_seen[path] then return end
    keys_seen[path] = true
    local problem = core.key_problem(path, what)
    if problem then fail(loc, "%s: %s", owner, problem) end
  end
  -- ssh's identity files (-i) and Samba's authentication files (net -A / --authentication-file).
  local function check_keys(argv, loc, owner)
    if type(argv) ~= "table" or type(argv[1]) ~= "string" then return end
    local program = argv[1]:match("[^/]*$")
    if program:match("ssh$") then
      for i = 2, #argv - 1 do
        if argv[i] == "-i" then check_secret(argv[i + 1], "ssh key", loc, owner) end
      end
    elseif program == "net" then
      for i = 2, #argv do
        local a = argv[i]
        local inline = a:match("^%-%-authentication%-file=(.+)$") or (a:match("^%-A(.+)$"))
        if inline then check_secret(inline, "credentials file", loc, owner)
        elseif (a == "-A" or a == "--authentication-file") and argv[i + 1] then
          check_secret(argv[i + 1], "credentials file", loc, owner)
        end
      end
    end
  end
  for _, name in ipairs(config.host_order) do
    local h = config.hosts[name]
    for _, action in ipairs(core.action_names(h)) do
      check_keys(action_of(h, action), h.own_actions and key_location(h.loc, "actions") or sloc,
        h.own_actions and string.format("host \"%s\": actions.%s", name, action) or string.format("settings: actions.%s", action))
    end
  end
  -- In file order, so the list reads top to bottom like the script.
  local function order(e)
    local file, line = e.where:match("^(.*):(%d+)$")
    return file or e.where, tonumber(line) or 0
  end
  table.sort(config.errors, function(a, b)
    local fa, la = order(a)
    local fb, lb = order(b)
    if fa ~= fb then return fa < fb end
    return la < lb
  end)
  return config.errors
end

return config
