-- nightshift.hosts: probing, waking and acting on declared hosts. Every outside
-- effect goes through a primitive, so --dry-run and --debug see all of them.
local ns, core = ...
local util = core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"

core.require "nightshift.view"

local hosts = {}

local function settings() return config.settings end

--- The declared host `name`, or an error naming the unknown host.
function hosts.get(name)
  local h = type(name) == "table" and name or config.hosts[name]
  if not h then
    local hint = type(name) == "string" and util.suggest(name, config.hosts)
    error(string.format("unknown host %q%s", tostring(name), hint and ("; did you mean \"" .. hint .. "\"?") or ""), 3)
  end
  return h
end

--- True when `h` is this machine (the `self` setting).
function hosts.is_self(h)
  return hosts.get(h).name == settings().self
end

--- The names of every host except this machine, in declaration order (optionally only watched ones).
function hosts.others(watched_only)
  local out = {}
  for _, name in ipairs(config.host_order) do
    local h = config.hosts[name]
    if name ~= settings().self and (h.watch or not watched_only) then out[#out + 1] = name end
  end
  return out
end

--- The watched hosts (hosts.others(true)), for the Swift side's settings: one home for the rule.
function core.watched_hosts() return hosts.others(true) end

local function probe_targets(h)
  local out = {}
  for _, ip in ipairs(h.ip) do out[#out + 1] = { ip, via = h.via, probe = h.probe } end
  return out
end

--- Probes hosts concurrently: name -> {up=bool, ip=answering address?, rtt_ms=?, error=?, asleep=?}.
function hosts.probe(names)
  local targets, owner = {}, {}
  for _, name in ipairs(names) do
    for _, t in ipairs(probe_targets(hosts.get(name))) do
      targets[#targets + 1] = t
      owner[#targets] = name
    end
  end
  local out = {}
  for _, name in ipairs(names) do out[name] = { up = false } end
  if #targets == 0 then return out end
  local results = ns.ping(targets, { timeout = settings().ping_timeout, retries = settings().ping_retries })
  for i, t in ipairs(targets) do
    local r, entry = results[t[1]] or { up = false }, out[owner[i]]
    if r.up and not entry.up then
      out[owner[i]] = { up = true, ip = t[1], rtt_ms = r.rtt_ms, probe = r.probe }
    elseif not entry.up then
      entry.error = r.error or entry.error
      -- Unknown (could not probe) unless another address of the host gave an answer.
      if r.unknown then entry.unknown = true end
      -- Seen by ARP alone without a NetBIOS answer: a sleeping PC's NIC (ARP offload).
      if r.asleep then entry.asleep = true end
    end
  end
  return out
end

--- Waits until `name` answers on any of its addresses, up to `timeout` seconds.
function hosts.wait_up(name, timeout)
  local h = hosts.get(name)
  -- A probe every half second: the job starts within about that of the host answering.
  local r = ns.wait_up(probe_targets(h), { timeout = timeout, any = true, interval = 0.5 })
  for _, ip in ipairs(h.ip) do
    if r[ip] and r[ip].up then return true, ip end
  end
  return false
end

--- Sends magic packets to every MAC of `name` out of the NIC facing it; returns the count.
function hosts.wake(name)
  local h = hosts.get(name)
  if #h.mac == 0 then error(string.format("host %q has no MAC address to wake", h.name), 2) end
  return ns.wake(h.mac, {
    via = h.via, interface = h.interface, broadcast = h.broadcast, port = h.wol_port,
    password = h.password, ["repeat"] = settings().wake_repeat,
  })
end

--- The argv of action `action` for host `name`, placeholders filled per element.
function hosts.action_argv(name, action, values)
  local h = hosts.get(name)
  local template = core.action_of(h, action)
  if not template then return nil end
  local v = { ip = h.ip[1] or "", user = h.user or "", name = h.name, epoch = tostring(math.floor(ns.now() + 0.5)) }
  for k, val in pairs(values or {}) do v[k] = tostring(val) end
  return ns.template(template, v)
end

--- Runs action `action` of host `name` (e.g. "shutdown", "set_time", "in_use").
-- Returns the exec result, or nil and a message when the host has no such action.
function hosts.run_action(name, action, values, opts)
  local argv = hosts.action_argv(name, action, values)
  if not argv then return nil, string.format("host %q has no %q action", hosts.get(name).name, action) end
  opts = opts or {}
  return ns.exec(argv, { timeout = opts.timeout or 120, log = opts.log or "file", ok_codes = opts.ok_codes })
end

-- Site code gets its own table of the same functions: replacing one of them changes no
-- decision of the library, and `get` hands out a copy (a script writing `h.mac` must not
-- change the plan `check` prints, nor the packets the night sends).
local public = {}
for name, fn in pairs(hosts) do public[name] = fn end
--- A copy of the declared host `name` (or of the record given), or an error naming the unknown host.
function public.get(name)
  return core.copy(hosts.get(name))
end
ns.hosts = public

-- This machine's power: its own actions when the `self` host has them, else systemctl.
local raw_power = ns.power
ns.power = {}
for _, mode in ipairs(core.power_modes) do
  ns.power[mode] = function()
    local me = settings().self and config.hosts[settings().self]
    if me and me.actions[mode] then
      local r = hosts.run_action(me.name, mode)
      if r.ok then return true end
      return nil, string.format("%s action failed (%s)", mode, r.timed_out and "timed out" or ("exit " .. tostring(r.code or r.signal)))
    end
    return raw_power[mode]()
  end
end

return hosts
