-- nightshift.notify: ready notifications, one line each in a site script:
-- Healthchecks pings, ntfy messages, JSON webhooks, mail through the system's sendmail.
-- Each registers ordinary event handlers, so hook_timeout bounds every one of them
-- (core.fire); a notification that cannot be delivered is retried briefly, logged, and
-- makes the cycle a warning - it never fails the night; it waits in the outbox (nightshift.outbox).
local ns, core = ...
core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
local hints = core.require "nightshift.hints"
core.require "nightshift.night"
local outbox = core.require "nightshift.outbox"
local enrolment = core.require "nightshift.healthchecks"
local notify = {}
ns.notify = notify

local DEFAULT_ON = { "failure", "stale" }
local TAIL = 10000 -- bytes of the log a /fail ping carries (Healthchecks keeps 100 kB)

local function register(event, fn)
  config.handlers[event] = config.handlers[event] or {}
  table.insert(config.handlers[event], fn)
end

-- The options each helper takes; anything else is a typo the night would never report.
local OPTIONS = {
  healthchecks = { "url", "api", "api_key_file", "tags" },
  ntfy = { "url", "on" },
  webhook = { "url", "on" },
  mail = { "to", "on", "sendmail" },
}
-- Every endpoint a helper registered, for `check --live`'s test messages: {kind=, url=, to=, sendmail=, where=}.
core.endpoints = {}

-- The events on() takes (dsl.lua): a notification is sent on the same ones.
local EVENTS = core.events

-- Checks the options table of notify.<name>; raises at the site script's line.
local function options(name, o, required)
  hints.options(name, o, OPTIONS[name], 3)
  for _, key in ipairs(required) do
    if type(o[key]) ~= "string" or o[key] == "" then
      error(string.format("bad argument #1 to '%s' (field '%s' must be a string)", name, key), 3)
    end
  end
  -- A URL without a scheme would fail only at the first failure, when the message matters most.
  if type(o.url) == "string" then
    local problem = hints.url_problem(o.url)
    if problem then error(string.format("bad argument #1 to '%s' (field 'url': %s)", name, problem), 3) end
  end
  local on = o.on or DEFAULT_ON
  if type(on) == "string" then on = { on } end
  if type(on) ~= "table" then
    error(string.format("bad argument #1 to '%s' (field 'on' must be an event name or a list of them, got %s)", name, type(on)), 3)
  end
  for _, event in ipairs(on) do
    if not core.util.contains(EVENTS, event) then
      local hint = type(event) == "string" and hints.suggest(event, EVENTS)
      error(string.format("bad argument #1 to '%s' (unknown event \"%s\" in field 'on'%s; events: %s)", name, tostring(event),
        hint and ("; did you mean \"" .. hint .. "\"?") or "", core.util.join(EVENTS, ", ")), 3)
    end
  end
  local info = debug.getinfo(3, "Sl")
  core.endpoints[#core.endpoints + 1] = { kind = name, url = o.url, to = o.to, sendmail = o.sendmail,
    where = info and (info.short_src .. ":" .. tostring(info.currentline)) or "?" }
  return on
end

-- Delivers `request` (ns.http's table) through the outbox: retried briefly, kept for the
-- next cycles when it still fails (a failure warns the cycle).
local function deliver(label, request)
  return outbox.deliver({ label = label, kind = "http", url = request.url, method = request.method,
    headers = request.headers, body = request.body })
end

local function when(epoch) return epoch and os.date("%Y-%m-%d %H:%M", math.floor(epoch)) or "never" end

-- One line of text for an event's payload.
local function message(event, ev)
  local host = ns.hostname()
  if event == "failure" then
    return string.format("NightShift on %s: %s failed: %s", host, ev.job and ("job " .. ev.job) or "the night", tostring(ev.reason))
  elseif event == "stale" then
    return string.format("NightShift on %s: job %s is stale: last good backup %s (%s ago)", host, ev.job,
      when(ev.last_good), ns.format_duration(ev.age or 0))
  elseif event == "after_backup" then
    return string.format("NightShift on %s: night %s", host, tostring(ev.result))
  elseif event == "after_job" then
    return string.format("NightShift on %s: job %s %s (%s)", host, ev.job, tostring(ev.result), tostring(ev.reason))
  end
  return string.format("NightShift on %s: %s", host, event)
end

local function tail_of_log(bytes)
  bytes = bytes or TAIL
  local text = core.cycle_log() or ""
  return #text > bytes and text:sub(-bytes) or text
end

--- Healthchecks.io (or a self-hosted one): /start when a night starts, the check URL on an
-- ok or warning night, /fail with the log tail on a failed night or a stale job.
function notify.healthchecks(o)
  if type(o) == "table" and o.api ~= nil then
    options("healthchecks", o, {})
    enrolment.setup(o, register, tail_of_log) -- not a tail call: errors point at the site's line
    return
  end
  options("healthchecks", o, { "url" })
  local url = o.url:gsub("/+$", "")
  register("before_backup", function() deliver("healthchecks start", { url = url .. "/start", method = "POST", body = "" }) end)
  register("after_backup", function(ev)
    if ev.result == "failed" then
      deliver("healthchecks fail", { url = url .. "/fail", method = "POST", body = tail_of_log() })
    else
      deliver("healthchecks success", { url = url, method = "POST", body = table.concat(ev.summary or {}, "\n") })
    end
  end)
  register("stale", function(ev)
    deliver("healthchecks stale", { url = url .. "/fail", method = "POST", body = message("stale", ev) })
  end)
end

--- ntfy (ntfy.sh or a self-hosted server): a message to the topic URL on each event of `on`.
function notify.ntfy(o)
  for _, event in ipairs(options("ntfy", o, { "url" })) do
    register(event, function(ev)
      local headers = { Title = "NightShift " .. event, Tags = event == "failure" and "warning" or "floppy_disk" }
      if event == "failure" or event == "stale" then headers.Priority = "high" end
      deliver("ntfy " .. event, { url = o.url, method = "POST", headers = headers, body = message(event, ev) })
    end)
  end
end

-- The parts of a payload a webhook carries (the night object is not data).
local function plain(event, ev)
  return { event = event, host = ns.hostname(), time = ns.now(), job = ev.job, reason = ev.reason,
    result = ev.result, last_good = ev.last_good, age = ev.age, failed = ev.failed, summary = ev.summary,
    message = message(event, ev) }
end

--- A JSON POST to `url` on each event of `on`.
function notify.webhook(o)
  for _, event in ipairs(options("webhook", o, { "url" })) do
    register(event, function(ev)
      deliver("webhook " .. event, { url = o.url, method = "POST", headers = { ["Content-Type"] = "application/json" },
        body = core.json(plain(event, ev)) })
    end)
  end
end

--- Mail to `to` on each event of `on`, through the system's sendmail (argv, no shell).
function notify.mail(o)
  local on = options("mail", o, { "to" })
  if o.sendmail ~= nil and (type(o.sendmail) ~= "string" or o.sendmail == "") then
    error("bad argument #1 to 'mail' (field 'sendmail' must be the path of a sendmail program)", 2)
  end
  if o.to:find("[\r\n]") or o.to:sub(1, 1) == "-" then
    error(string.format("bad argument #1 to 'mail' (invalid address %q)", o.to), 2)
  end
  local sendmail = o.sendmail or "/usr/sbin/sendmail"
  for _, event in ipairs(on) do
    register(event, function(ev)
      local subject = message(event, ev):gsub("[\r\n]", " ")
      local text = string.format("To: %s\nSubject: %s\n\n%s\n\n%s\n", o.to, subject, subject,
        event == "failure" and tail_of_log() or "")
      outbox.deliver({ label = "mail " .. event, kind = "mail", argv = { sendmail, "-i", "--", o.to }, body = text })
    end)
  end
end

return notify
