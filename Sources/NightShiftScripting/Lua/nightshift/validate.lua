-- nightshift.validate: the checks across declarations, once the site script has run
-- (core.validate): the hosts a job names, the actions and values its night will need, the
-- programs and keys it will use. Every problem goes to the DSL's list with its file:line.
local ns, core = ...
local util = core.require "nightshift.prelude"
local selfhost = core.require "nightshift.selfhost"
local DEFAULTS = core.require("nightshift.schema").defaults

-- The DSL's records and helpers, handed over by dsl.lua (install, below): they stay in its
-- closures, out of the core table.
local config, fail, key_location, action_of, unfinished, settings_at

function core.validate()
  local settings_seen = settings_at()
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

--- Installs core.validate over the DSL's records: {config=, fail=, key_location=, action_of=,
--- unfinished=, settings_at=function returning where settings{} was given ("file:line") or nil}.
return function(dsl)
  config, fail, key_location, action_of = dsl.config, dsl.fail, dsl.key_location, dsl.action_of
  unfinished, settings_at = dsl.unfinished, dsl.settings_at
end
