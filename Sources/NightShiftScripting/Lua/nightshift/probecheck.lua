-- nightshift.probecheck: what `check` says about probes that cannot see a Windows PC that is
-- on behind its default firewall (no ping, no TCP with file sharing off: only ARP answers).
-- It reads the routing table only: `check` sends no packets.
local ns, core = ...

local WINDOWS_PORTS = "445 file sharing, 3389 remote desktop, 22 OpenSSH"

--- Warning lines for the watched hosts' probes (appended to the plan `check` prints).
function core.probe_warnings(config)
  local lines = {}
  local s = config.settings
  for _, name in ipairs(config.host_order) do
    local h = config.hosts[name]
    local probes = type(h.probe) == "table" and h.probe or { h.probe }
    local auto, arp, tcp = false, false, false
    for _, p in ipairs(probes) do
      if p == "auto" then auto = true elseif p == "arp" then arp = true elseif p:sub(1, 4) == "tcp:" then tcp = true end
    end
    if name ~= s.self and h.watch then
      local shown = type(h.probe) == "table" and ("{ \"" .. table.concat(h.probe, "\", \"") .. "\" }") or ("\"" .. h.probe .. "\"")
      if not auto and not arp then
        lines[#lines + 1] = string.format(
          "  warning: host %s: probe %s cannot see a Windows PC behind its default firewall (it answers neither ping nor TCP when file sharing is off); if %s is one, use \"auto\"",
          name, shown, name)
      elseif auto and not arp and not tcp then
        for _, ip in ipairs(h.ip) do
          local why = core.routed(ip, h.via)
          if why then
            lines[#lines + 1] = string.format(
              "  warning: host %s: \"auto\" cannot use ARP for %s from this machine (%s), so a Windows PC there behind its firewall is missed: add TCP ports it answers, e.g. probe = { \"auto\", \"tcp:445\", \"tcp:3389\" } (%s)",
              name, ip, why, WINDOWS_PORTS)
            break
          end
        end
      end
    end
  end
  return lines
end

return core.probe_warnings
