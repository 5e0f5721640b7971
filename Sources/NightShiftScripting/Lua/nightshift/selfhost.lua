-- nightshift.selfhost: which inventory entry is this machine when the script names none in
-- `self`. A NAS listed among its own hosts would otherwise watch itself and wait for itself
-- forever; its addresses (the interfaces', from Swift) tell which entry it is.
local _, core = ...
local selfhost = {}

--- The host whose address is one of this machine's: its name and that address; or nil and,
--- when several hosts have such addresses, an error naming `self` with the host to blame.
function selfhost.recognise(hosts, order)
  local found = {}
  for _, name in ipairs(order) do
    for _, ip in ipairs(hosts[name].ip or {}) do
      if type(ip) == "string" and core.own_address(ip) then
        found[#found + 1] = { name = name, ip = ip }
        break
      end
    end
  end
  if #found == 1 then return found[1].name, found[1].ip end
  if #found > 1 then
    local names = {}
    for _, f in ipairs(found) do names[#names + 1] = string.format("\"%s\" (%s)", f.name, f.ip) end
    return nil, string.format("settings: self is not set and several hosts have addresses of this machine: %s;"
      .. " write settings { self = \"%s\" } (or the right one of them) to say which host this machine is",
      table.concat(names, ", "), found[1].name), hosts[found[2].name].loc
  end
  return nil
end

return selfhost
