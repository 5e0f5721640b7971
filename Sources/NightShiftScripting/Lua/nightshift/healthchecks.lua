-- nightshift.healthchecks: Healthchecks enrolment - ns.notify.healthchecks{api=, api_key_file=,
-- tags=}. One check per job, named "<site>/<job>", is upserted through the Management API v3
-- at a start and whenever the jobs or the schedule change; then each job pings its own check
-- (start, success, fail with the log tail). The API key comes from a file only its owner can
-- read and never reaches a log, the outbox or an error message.
local ns, core = ...
core.require "nightshift.prelude"
local config = core.require "nightshift.dsl"
local outbox = core.require "nightshift.outbox"
local hc = {}

local MIN, MAX = 60, 31536000 -- the API's bounds for timeout and grace
local TAIL = 10000            -- bytes of the log a /fail ping carries (Healthchecks keeps 100 kB)

local function clamp(seconds) return math.max(MIN, math.min(MAX, math.floor(seconds + 0.5))) end

local function bad(reason) error(string.format("bad argument #1 to 'healthchecks' (%s)", reason), 4) end

-- The check each job gets, in job order.
local function checks(tags)
  local s = config.settings
  -- The one home of the site's default (the hostname) is core.site_name.
  local site = core.site_name()
  local out = {}
  for _, name in ipairs(config.job_order) do
    local j = config.jobs[name]
    local c = {
      name = site .. "/" .. name, tags = table.concat(tags, " "), unique = { "name" }, channels = "*",
      desc = string.format("NightShift job %s (%s -> %s) on %s", name, j.source, j.target, ns.hostname()),
    }
    if s.force_window then
      -- Due when the window opens; late once the window and the job's own time are over.
      local w = core.hc.window(s.force_window)
      c.schedule, c.tz, c.grace = w.cron, w.tz, clamp(w.length + (j.timeout or 0))
    else
      c.timeout, c.grace = clamp(j.max_age or s.max_age), clamp(j.timeout or 3600)
    end
    out[#out + 1] = { job = name, check = c }
  end
  return out
end

-- Upserts every job's check unless the same checks were enrolled by this process already;
-- returns job -> ping URL (the last ones known for checks whose upsert failed).
local function enrol(api, key, tags)
  local list = checks(tags)
  local plain = {}
  for _, item in ipairs(list) do plain[#plain + 1] = item.check end
  local fingerprint = core.json({ api = api, checks = plain })
  local record = core.hc.load() or { ping_urls = {} }
  local complete = true
  for _, item in ipairs(list) do if not record.ping_urls[item.job] then complete = false end end
  if complete and record.fingerprint == fingerprint and record.process == core.hc.process() then return record.ping_urls end
  local urls, failed = {}, false
  for _, item in ipairs(list) do
    local r, err = ns.http({ url = api .. "/api/v3/checks/", method = "POST", timeout = 30,
      headers = { ["X-Api-Key"] = key, ["Content-Type"] = "application/json" }, body = core.json(item.check) })
    local url = r and (r.status == 200 or r.status == 201) and core.hc.ping_url(r.body)
    if url then
      urls[item.job] = url
      ns.log.info("Healthchecks: check %s %s", item.check.name, r.status == 201 and "created" or "updated")
    else
      failed = true
      urls[item.job] = record.ping_urls[item.job]
      local why = r and ("HTTP " .. tostring(r.status) .. (r.status == 401 and " (the API key was refused)" or "")) or tostring(err)
      ns.log.warn("Healthchecks: cannot enrol %s at %s: %s", item.check.name, api, why)
      core.warn_cycle(string.format("healthchecks enrolment of %s failed", item.check.name))
    end
  end
  -- A failed upsert is tried again at the next cycle: its fingerprint is not recorded.
  local saved, err = core.hc.save({ fingerprint = failed and "" or fingerprint, ping_urls = urls })
  if saved == nil then ns.log.warn("Healthchecks: cannot record the enrolment: %s", tostring(err)) end
  return urls
end

--- Sets up enrolment for `o` ({api=, api_key_file=, tags=}); `register(event, fn)` adds handlers.
function hc.setup(o, register, tail_of_log)
  for k in pairs(o) do
    if k ~= "api" and k ~= "api_key_file" and k ~= "tags" then bad(string.format("unknown option '%s'", tostring(k))) end
  end
  if type(o.api) ~= "string" or not o.api:match("^https?://[^/]+") then bad("field 'api' must be an http:// or https:// URL") end
  if type(o.api_key_file) ~= "string" or o.api_key_file == "" then bad("field 'api_key_file' must be a string") end
  if o.url ~= nil then bad("give either 'url' (one check made by hand) or 'api' (enrolment), not both") end
  local tags = o.tags or {}
  if type(tags) ~= "table" then bad("field 'tags' must be an array of strings") end
  for i, t in ipairs(tags) do
    if type(t) ~= "string" or t == "" or t:find("%s") then bad(string.format("tags[%d] must be a word without spaces", i)) end
  end
  local path = o.api_key_file
  if path:sub(1, 1) ~= "/" then path = (core.script_dir or ".") .. "/" .. path end
  local key, err = core.hc.key(path)
  if not key then bad("api_key_file: " .. tostring(err)) end
  local api = o.api:gsub("/+$", "")
  local urls = {}
  register("sweep", function() urls = enrol(api, key, tags) end)
  local function ping(job, suffix, label, body)
    local base = urls[job] or (core.hc.load() or { ping_urls = {} }).ping_urls[job]
    if not base then
      ns.log.warn("Healthchecks: job %s has no check to ping (not enrolled)", job)
      return
    end
    outbox.deliver({ label = "healthchecks " .. job .. " " .. label, kind = "http", method = "POST",
      url = base .. suffix, body = body })
  end
  register("_job_start", function(ev) ping(ev.job, "/start", "start", "") end)
  register("after_job", function(ev)
    if ev.result == "failed" or ev.result == "interrupted" then
      ping(ev.job, "/fail", "fail", tail_of_log(TAIL))
    else
      ping(ev.job, "", "success", string.format("%s: %s (%.0f s)", ev.result, tostring(ev.reason), ev.seconds or 0))
    end
  end)
  register("stale", function(ev)
    ping(ev.job, "/fail", "stale", string.format("job %s is stale: last good backup %s ago", ev.job, ns.format_duration(ev.age or 0)))
  end)
end

return hc
