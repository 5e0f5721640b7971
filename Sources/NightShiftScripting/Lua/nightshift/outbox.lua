-- nightshift.outbox: no alert is lost (docs/design.md, invariant 12). Every notification is
-- written to state_dir/outbox/ before its first attempt and removed once delivered, so a
-- handler cut short by hook_timeout, a kill or this machine's sleep leaves it queued, never
-- lost; what is still there is resent at each following cycle.
local ns, core = ...
local config = core.require "nightshift.dsl"
local outbox = {}
core.outbox_lib = outbox

local ATTEMPTS = 3

-- Answers that will never turn into a delivery by asking again (a wrong URL or key);
-- 408 and 429 mean "later" and stay queued like a 5xx.
local function permanent(status)
  return status and status >= 400 and status < 500 and status ~= 408 and status ~= 429
end

--- One attempt to deliver message `m` ({kind="http", url=, method=, headers=, body=} or
-- {kind="mail", argv=, body=}); returns true, or false, why and whether retrying is useless.
function outbox.send_once(m)
  if m.kind == "mail" then
    local ok, r = pcall(ns.exec, m.argv, { stdin = m.body or "", log = "none", timeout = 30 })
    if ok and r.ok then return true end
    if not ok and core.interrupted() then error(r, 0) end
    return false, ok and ("exit " .. tostring(r.code or r.signal)) or core.site_message(r), false
  end
  local r, err = ns.http({ url = m.url, method = m.method, headers = m.headers, body = m.body })
  if r and r.ok then return true end
  if r then return false, "HTTP " .. tostring(r.status), permanent(r.status) end
  return false, tostring(err), false
end

-- The scheme, host and port of a URL: one dead endpoint is not asked again in the same pass.
local function origin(m)
  if m.kind == "mail" then return "mail" end
  return (m.url or ""):match("^(%a[%w+.-]*://[^/?#]+)") or m.url or ""
end

--- Delivers `m` now, retried briefly; the message waits in the outbox from before the first
-- attempt until it is delivered. Returns true when delivered. A failure warns the cycle.
function outbox.deliver(m)
  local id, dropped = core.outbox.add(m)
  for _, label in ipairs(type(dropped) == "table" and dropped or {}) do
    ns.log.warn("Outbox full: dropped the oldest notification (%s) to keep this one", label)
  end
  local last, useless
  for attempt = 1, ATTEMPTS do
    local ok, why, perm = outbox.send_once(m)
    if ok then
      if id then core.outbox.remove(id) end
      return true
    end
    last, useless = why, perm
    if useless then break end
    if attempt < ATTEMPTS then ns.sleep(attempt) end
  end
  if useless then
    -- Asking again cannot help: the admin must fix the address, and the log says which.
    if id then core.outbox.remove(id) end
    ns.log.error("Notification %s failed: %s (refused: not kept for another attempt)", m.label, last)
  elseif id then
    core.outbox.attempted(id)
    ns.log.warn("Notification %s failed: %s; kept in the outbox (%d waiting), resent at the next cycle",
      m.label, last, core.outbox.count())
  else
    ns.log.warn("Notification %s failed: %s (could not be queued: %s)", m.label, last, tostring(dropped))
  end
  core.warn_cycle(string.format("notification %s failed", m.label))
  return false
end

--- Resends what waits in the outbox, oldest first, one attempt each; an endpoint that fails
-- is not asked again in this pass. Bounded by hook_timeout as a whole.
function outbox.flush()
  local waiting = core.outbox.list()
  if not waiting or #waiting == 0 then return end
  if ns.dry_run then
    ns.log.info("Outbox: %d notification%s wait (not resent: dry run)", #waiting, #waiting == 1 and "" or "s")
    return
  end
  ns.log.info("Outbox: resending %d notification%s", #waiting, #waiting == 1 and "" or "s")
  local sent, dead = 0, {}
  local ok, err = core.bounded(config.settings.hook_timeout, "outbox", function()
    for _, m in ipairs(waiting) do
      local o = origin(m)
      if not dead[o] then
        local done, why, useless = outbox.send_once(m)
        if done or useless then
          core.outbox.remove(m.id)
          if done then sent = sent + 1 else
            ns.log.error("Notification %s (queued %s) refused: %s; dropped", m.label,
              os.date("%Y-%m-%d %H:%M", math.floor(m.created)), why)
          end
        else
          core.outbox.attempted(m.id)
          dead[o] = why
        end
      end
    end
  end)
  if not ok then
    if core.interrupted() then error(err, 0) end
    ns.log.warn("Outbox: resending stopped: %s", core.site_message(err))
  end
  local left = core.outbox.count()
  for o, why in pairs(dead) do ns.log.warn("Outbox: %s still cannot be reached: %s", o, why) end
  ns.log.info("Outbox: %d delivered, %d waiting", sent, left)
end

return outbox
