-- nightshift.live: `nightshift check SCRIPT --live`, the rehearsal. Without changing
-- anything it asks the real world what the night will ask it: is every host there, does
-- each answering host accept our ssh login non-interactively, does each time source
-- answer, does each notification endpoint take a message. One item per question.
local ns, core = ...
local util = core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
local hosts = core.require "nightshift.hosts"
core.require "nightshift.notify"
local live = {}

local SSH_TIMEOUT = 20
local HTTP_TIMEOUT = 10

local function item(list, status, name, detail)
  list[#list + 1] = { status = status, item = name, detail = detail }
end

local function last_line(text)
  local last
  for line in (text or ""):gmatch("[^\r\n]+") do
    if line:find("%S") then last = line end
  end
  return last
end

-- What to do about ssh's complaint, in the admin's words.
local function ssh_hint(stderr)
  if stderr:find("Host key verification failed", 1, true) or stderr:find("No .* host key is known") then
    return " (the host key is not known: connect once by hand as the user nightshift runs as, or add it to known_hosts)"
  elseif stderr:find("Permission denied", 1, true) then
    return " (the key is not accepted: install its public half in the host's authorized_keys, e.g. ssh-copy-id)"
  end
  return ""
end

-- The first ssh action of `h`, cut after the host address and made harmless: a no-op
-- remote command, never a password prompt, never a new host key accepted.
local function ssh_noop(h, ip)
  for _, action in ipairs(core.action_names(h)) do
    local template = core.action_of(h, action)
    local program = type(template) == "table" and type(template[1]) == "string" and template[1]:match("[^/]*$") or ""
    if program:match("ssh$") then
      local at
      for i, word in ipairs(template) do if word == "{ip}" then at = i; break end end
      if at then
        -- Only the login part is filled in: the remote command is never run.
        local login = {}
        for i = 1, at do login[i] = template[i] end
        local argv = ns.template(login, { ip = ip, user = h.user or "", name = h.name })
        -- The first -o given wins in ssh: ours come before the site's. A host key that is not
        -- known fails as at night (batch mode never asks); a site that chose its own
        -- StrictHostKeyChecking keeps its choice, since the night runs with it.
        local out = { argv[1], "-o", "BatchMode=yes" }
        local chose = false
        for _, word in ipairs(template) do
          if type(word) == "string" and word:lower():find("stricthostkeychecking", 1, true) then chose = true end
        end
        if not chose then out[#out + 1] = "-o"; out[#out + 1] = "StrictHostKeyChecking=yes" end
        for i = 2, at do out[#out + 1] = argv[i] end
        out[#out + 1] = "exit 0"
        return out, action
      end
    end
  end
  return nil
end

local function probe_hosts(items)
  local names = hosts.others(false)
  local results = #names > 0 and hosts.probe(names) or {}
  for _, name in ipairs(names) do
    local r = results[name] or { up = false }
    local h = config.hosts[name]
    if r.up then
      item(items, "ok", "host " .. name, string.format("up at %s (%s%s)", r.ip, r.probe or "probe",
        r.rtt_ms and string.format(", %.1f ms", r.rtt_ms) or ""))
    elseif r.unknown then
      item(items, "fail", "host " .. name, "unknown: the probe could not be made (" .. tostring(r.error) .. ")")
    else
      item(items, "off", "host " .. name, "offline (not woken: --live changes nothing)" ..
        (#core.action_names(h) > 0 and "; its remote login is not tried" or ""))
    end
    if r.up then
      local argv, action = ssh_noop(h, r.ip)
      if argv then
        local ok, e = pcall(ns.exec, argv, { timeout = SSH_TIMEOUT, log = "none" })
        if not ok then
          item(items, "fail", "ssh " .. name, core.site_message and core.site_message(e) or tostring(e))
        elseif e.ok then
          item(items, "ok", "ssh " .. name, "login accepted (key and host key, as its '" .. action .. "' action logs in)")
        elseif e.timed_out then
          item(items, "fail", "ssh " .. name, string.format("no answer within %d s", SSH_TIMEOUT))
        else
          local why = last_line(e.stderr) or ("exit " .. tostring(e.code or e.signal))
          item(items, "fail", "ssh " .. name, why .. ssh_hint(e.stderr or ""))
        end
      elseif #core.action_names(h) > 0 then
        item(items, "skip", "remote " .. name, "its actions do not log in over ssh: not tried (no harmless call exists)")
      end
    end
    if h.time_source then
      local t, err = ns.time.query(r.ip or h.ip[1], { timeout = 2 })
      if t then
        item(items, "ok", "time " .. name, string.format("answers SNTP: offset %+.3f s, stratum %d", t.offset, t.stratum))
      else
        item(items, "fail", "time " .. name, "no SNTP answer: " .. tostring(err))
      end
    end
  end
end

local function http_item(items, label, request)
  request.timeout = HTTP_TIMEOUT
  local r, err = ns.http(request)
  if r and r.ok then
    item(items, "ok", label, "test message delivered (HTTP " .. tostring(r.status) .. ")")
  else
    item(items, "fail", label, r and ("HTTP " .. tostring(r.status) .. " from " .. request.url) or (tostring(err) .. " (" .. request.url .. ")"))
  end
end

local function notify_endpoints(items)
  local host = ns.hostname()
  local text = "NightShift test message from " .. host .. " (nightshift check --live): nothing failed."
  for _, e in ipairs(core.endpoints or {}) do
    local label = e.kind .. " " .. e.where
    if e.kind == "healthchecks" and e.url then
      -- /log records an event without changing the check's state.
      http_item(items, label, { url = e.url:gsub("/+$", "") .. "/log", method = "POST", body = text })
    elseif e.kind == "ntfy" then
      http_item(items, label, { url = e.url, method = "POST", body = text,
        headers = { Title = "NightShift test message", Tags = "test_tube" } })
    elseif e.kind == "webhook" then
      http_item(items, label, { url = e.url, method = "POST", headers = { ["Content-Type"] = "application/json" },
        body = core.json({ test = true, event = "test", host = host, time = ns.now(), message = text }) })
    elseif e.kind == "mail" then
      local mail = string.format("To: %s\nSubject: NightShift test message\n\n%s\n", e.to, text)
      local ok, r = pcall(ns.exec, { e.sendmail or "/usr/sbin/sendmail", "-i", "--", e.to }, { stdin = mail, log = "none", timeout = 30 })
      if ok and r.ok then
        item(items, "ok", label, "test mail handed to sendmail for " .. e.to)
      else
        item(items, "fail", label, ok and ("sendmail exit " .. tostring(r.code or r.signal)) or tostring(r))
      end
    else
      item(items, "skip", label, "no endpoint URL to test")
    end
  end
end

--- The rehearsal's items, in order: {status = "ok"|"fail"|"off"|"skip", item=, detail=}.
function core.live_check()
  local items = {}
  for _, step in ipairs({ probe_hosts, notify_endpoints }) do
    local ok, err = pcall(step, items)
    if not ok then item(items, "fail", "check --live", tostring(err)) end
  end
  return items
end

return live
