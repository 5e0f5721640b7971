-- nightshift.dsl: the words a site script is written in - settings{}, host "x" {},
-- job "x" {}, on(event, fn), routine(fn), trigger(fn) - and their validation (the keys
-- and checkers in nightshift.schema, the checks across declarations in nightshift.validate).
-- Every problem is collected with the script's file:line so `nightshift check`
-- can list them all at once; nothing runs while any is left.
local ns, core = ...
local util = core.require "nightshift.prelude"
local hints = core.require "nightshift.hints"
local SCHEMA = core.require("nightshift.schema").schema

local config = {
  settings = {},
  hosts = {}, host_order = {},
  jobs = {}, job_order = {},
  handlers = {},
  errors = {},
  routine = nil, trigger = nil,
}
core.config = config

-- The events a handler can be added for: the one list, which ns.notify.*'s `on` takes too.
local EVENTS = { "sweep", "before_backup", "after_job", "after_backup", "failure", "before_sleep", "stale" }
core.events = EVENTS

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

-- What the rest of the library reads of the declarations --------------------------

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

-- Validation across declarations, after the script has run (core.validate): it reads the
-- words' bookkeeping, handed over here rather than put in the core table.
core.require "nightshift.validate" {
  config = config, fail = fail, key_location = key_location, action_of = action_of, unfinished = unfinished,
  settings_at = function() return settings_seen end,
}

return config
