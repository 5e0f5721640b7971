-- nightshift.hostclock: reads a host's clock offset against this machine, by SNTP or, for a
-- host that serves none (Windows clients), by its `get_time` action over ssh.
local ns, core = ...
local hosts = core.require "nightshift.hosts"
local hostclock = {}

-- Hosts that answered no SNTP while they had a get_time action: later readings in this
-- process go straight to get_time, so a night does not wait through an SNTP timeout for
-- every reading (before and after each set).
hostclock.no_sntp = {}

-- A host with a get_time action to fall back on gets one short SNTP try: on a LAN an SNTP
-- server answers in milliseconds.
local SNTP_TIMEOUT, SNTP_TIMEOUT_WITH_FALLBACK = 3, 1

--- The offset of `name`'s clock (theirs - ours, seconds) from its get_time action: the round
--- trip halved like SNTP (the remote reading is taken to be the midpoint of the run), or nil
--- and why.
function hostclock.get_time(name, ip)
  local t0 = ns.now()
  local r, problem = hosts.run_action(name, "get_time", { ip = ip }, { timeout = 30 })
  local t1 = ns.now()
  if not r then return nil, problem end
  if not r.ok then
    return nil, string.format("get_time on %s failed (%s)", name, r.timed_out and "timed out" or ("exit " .. tostring(r.code or r.signal)))
  end
  local text = (r.stdout or ""):match("^%s*([%d]+%.?%d*)%s*$")
  local remote = text and tonumber(text)
  if not remote then
    return nil, string.format("get_time on %s printed %q, not Unix seconds like 1796154792.25", name, (r.stdout or ""):sub(1, 80))
  end
  return remote - (t0 + t1) / 2, nil, t1 - t0
end

--- The offset of `name`'s clock against this machine (theirs - ours, seconds), or nil and why.
--- This machine's own offset is 0.
function hostclock.offset(night, name)
  if hosts.is_self(name) then return 0 end
  local h = hosts.get(name)
  local ip = night.answering[name] or h.ip[1]
  local fallback = core.action_of(h, "get_time") ~= nil
  local sntp_err
  if not (fallback and hostclock.no_sntp[name]) then
    local sample, err = ns.time.query(ip, { timeout = fallback and SNTP_TIMEOUT_WITH_FALLBACK or SNTP_TIMEOUT })
    if sample then return sample.offset end
    sntp_err = string.format("no time from %s (%s): %s", name, ip, tostring(err))
    -- An answer refused as implausible is an answer: the clock is set, not read another way.
    if not fallback or tostring(err):find("refused the time", 1, true) then return nil, sntp_err end
    hostclock.no_sntp[name] = true
    ns.log.info("%s answers no SNTP (%s): reading its clock with its get_time action", name, tostring(err))
  end
  local offset, err, took = hostclock.get_time(name, ip)
  if not offset then return nil, sntp_err and (sntp_err .. "; " .. err) or err end
  ns.log.debug("Clock of %s by get_time: %+.3f s (round trip %.3f s)", name, offset, took)
  return offset
end

return hostclock
