-- nightshift.ready: "up" is not "ready". A Windows PC answers ARP, ping and 445 seconds
-- before its OpenSSH service runs; a host whose actions go over ssh is ready for the
-- night's steps once its ssh port accepts a connection. A host's `ready` names the ports
-- ("auto": those of its ssh actions); the wait shares the host's wake_timeout.
local ns, core = ...
local config = core.require "nightshift.dsl"
local hosts = core.require "nightshift.hosts"
local ready = {}

local function settings() return config.settings end

-- ssh's options that take a value (OpenBSD ssh.c's getopt string): the word after them is
-- the value, never the destination.
local SSH_VALUE_OPTIONS = "BbcDEeFIiJLlmOoPpQRSWw"

-- The port an ssh argv connects to: `-p N`, `-pN`, `-o Port=N`, `-oPort=N`, else 22; nil
-- when it is not ssh or the port is a placeholder (only the script can say then: `ready`).
-- ssh reads options before the destination and once more right after it, like ssh itself.
function ready.ssh_port(argv)
  if type(argv) ~= "table" or type(argv[1]) ~= "string" or argv[1]:match("[^/]+$") ~= "ssh" then return nil end
  local port, i, destinations = "22", 2, 0
  while argv[i] ~= nil do
    local word = argv[i]
    if word == "--" then
      -- ssh reads no option after `--` (not even after the destination that follows it).
      break
    elseif word:sub(1, 1) == "-" and #word > 1 then
      local letter = word:sub(2, 2)
      if SSH_VALUE_OPTIONS:find(letter, 1, true) then
        local value = #word > 2 and word:sub(3) or argv[i + 1]
        if #word == 2 then i = i + 1 end
        if letter == "p" then port = value end
        if letter == "o" and value then port = value:match("^[Pp][Oo][Rr][Tt][%s=]+(.*)$") or port end
      end
    else
      destinations = destinations + 1
      if destinations > 1 then break end
    end
    i = i + 1
  end
  local n = math.tointeger(tonumber(port))
  if not n or n < 1 or n > 65535 then return nil end
  return n
end

-- Samba's `net rpc` (windows_rpc) talks to the PC's SMB port: 445.
local function rpc_port(argv)
  if type(argv) ~= "table" or type(argv[1]) ~= "string" or argv[1]:match("[^/]+$") ~= "net" then return nil end
  if argv[2] == "rpc" then return 445 end
  return nil
end

--- The TCP ports host `name` must accept connections on before the night acts on it:
--- its `ready` setting, or with "auto" the ports of its ssh actions and of its `net rpc`
--- actions (445) - a woken PC whose NIC answers ARP for it is not awake yet (sorted, each once).
function ready.ports(name)
  local h = hosts.get(name)
  local spec = h.ready or "auto"
  local out, seen = {}, {}
  local function add(port)
    if port and not seen[port] then seen[port] = true; out[#out + 1] = port end
  end
  if spec == "none" then return out end
  if spec == "auto" then
    for _, action in ipairs(core.action_names(h)) do
      local argv = core.action_of(h, action)
      add(ready.ssh_port(argv) or rpc_port(argv))
    end
    table.sort(out)
    return out
  end
  for _, item in ipairs(type(spec) == "table" and spec or { spec }) do
    add(math.tointeger(tonumber(tostring(item):match("^tcp:(%d+)$"))))
  end
  return out
end

local function port_list(ports)
  local words = {}
  for _, p in ipairs(ports) do words[#words + 1] = tostring(p) end
  return (#ports == 1 and "port " or "ports ") .. table.concat(words, " and ")
end

-- What the ports are for, in the log: "ssh port 22" when the ports came from ssh actions,
-- "SMB port 445" from net rpc ones.
local function what(name, ports)
  local h = hosts.get(name)
  if (h.ready or "auto") ~= "auto" then return port_list(ports) end
  if #ports == 1 and ports[1] == 445 then return "SMB " .. port_list(ports) end
  return "ssh " .. port_list(ports)
end

local function accepts(h, ip, port, timeout)
  local r = ns.ping({ { ip, via = h.via, probe = "tcp:" .. port } }, { listening = true, timeout = timeout, retries = 0 })
  return r[ip] and r[ip].up
end

--- Waits until host `name`, answering at `ip`, accepts connections on its ready ports, up to
--- `deadline` (a core.mono() time: the rest of its wake_timeout). `woken`: this night woke it
--- (the log then says it answers ping/ARP and what it still waits for). Returns true, or
--- false and a reason naming the host and the ports that stayed closed.
function ready.wait(name, ip, deadline, woken)
  local ports = ready.ports(name)
  if #ports == 0 then return true end
  local h = hosts.get(name)
  local limit = ns.format_duration(h.wake_timeout or settings().wake_timeout)
  if ns.dry_run and woken then
    ns.log.info("DRY-RUN would wait (within its wake_timeout, %s) for %s's %s to accept a connection (assumed open)",
      limit, name, what(name, ports))
    return true
  end
  local closed = {}
  for _, port in ipairs(ports) do
    if not accepts(h, ip, port, settings().ping_timeout) then closed[#closed + 1] = port end
  end
  if #closed == 0 then return true end
  if ns.dry_run then
    ns.log.info("DRY-RUN %s answers, but its %s does not accept a connection now: a night would wait for it "
      .. "(within its wake_timeout, %s)", name, what(name, closed), limit)
    return true
  end
  local started = core.mono()
  ns.log.info("%s answers%s; waiting for its %s (within its wake_timeout, %s: %.0f s left)", name,
    woken and " ping/ARP after the wake-up" or "", what(name, closed), limit, math.max(0, deadline - started))
  local still = {}
  for _, port in ipairs(closed) do
    local left = deadline - core.mono()
    local open = left > 0 and ns.wait_up({ { ip, via = h.via, probe = "tcp:" .. port } },
      { listening = true, timeout = left, interval = 0.5, probe_timeout = math.min(1, left) })[ip]
    if not (open and open.up) then still[#still + 1] = port end
  end
  if #still == 0 then
    ns.log.info("%s's %s accepts connections after %.1f s", name, what(name, closed), core.mono() - started)
    return true
  end
  ns.log.error("%s answers at %s, but its %s did not accept a connection within %s (wake_timeout)", name, ip,
    what(name, still), limit)
  ns.log.info("  hint: its actions go over ssh: check that %s's ssh server runs and starts at boot (Windows: the "
    .. "\"OpenSSH SSH Server\" service, startup type Automatic) and that its firewall lets this machine reach TCP %s",
    name, table.concat(still, ", "))
  return false, string.format("%s's %s did not accept a connection within the wake timeout (%s)", name,
    what(name, still), limit)
end

--- ns.hosts.wait_ready(name [, timeout]): waits until the host answers and its ready ports
--- accept a connection, all within `timeout` (default its wake_timeout). Returns true and the
--- address, or false and why not. Does not wake it.
function ready.wait_ready(name, timeout)
  local h = hosts.get(name)
  if timeout ~= nil and type(timeout) ~= "number" then
    error(string.format("bad argument #2 to 'wait_ready' (number expected, got %s)", type(timeout)), 2)
  end
  timeout = timeout or h.wake_timeout or settings().wake_timeout
  local deadline = core.mono() + timeout
  local up, ip = hosts.wait_up(h.name, timeout)
  if not up then return false, string.format("%s did not answer within %s", h.name, ns.format_duration(timeout)) end
  local fine, why = ready.wait(h.name, ip, deadline, false)
  if not fine then return false, why end
  return true, ip
end
ns.hosts.wait_ready = ready.wait_ready

return ready
