-- nightshift.trigger: the default decision "back up now?", as one pure function of values:
-- the sweeps, the trigger's memory of past nights (state.json, loaded once per cycle), the
-- force window's calendar math (computed by Swift) and the time. It reads no file, probes
-- nothing and calls no primitive but the duration formatter, so its unit tests drive it
-- table by table with an injected clock.
local ns, core = ...
local trigger = {}
core.trigger = trigger

local function fmt(seconds) return ns.format_duration(seconds) end

local function clock(epoch) return os.date("%H:%M", math.floor(epoch)) end

local function plural(n, word) return n == 1 and word or (word .. "s") end

-- Everybody offline? -> triggers (bool), text, blocked (an unknown watched host blocks it).
local function offline_state(input)
  local watched = input.watched
  if #watched == 0 then return true, "no watched hosts" end
  local latest = input.sweeps[#input.sweeps]
  if not latest then return false, "no sweep yet" end
  local online, unknown = {}, {}
  for _, name in ipairs(watched) do
    local r = latest[name]
    if r == nil or r.unknown then unknown[#unknown + 1] = name
    elseif r.up then online[#online + 1] = name end
  end
  if #online > 0 or #unknown > 0 then
    local parts = {}
    if #online > 0 then
      parts[#parts + 1] = string.format("%d of %d watched %s online: %s", #online, #watched,
        plural(#watched, "host"), table.concat(online, ", "))
    end
    if #unknown > 0 then
      parts[#parts + 1] = string.format("cannot tell whether %s %s online", table.concat(unknown, ", "),
        #unknown == 1 and "is" or "are")
    end
    return false, table.concat(parts, "; ")
  end
  local needed = math.max(1, input.offline_sweeps or 1)
  local streak = 0
  for i = #input.sweeps, 1, -1 do
    local sweep = input.sweeps[i]
    local all_down = true
    for _, name in ipairs(watched) do
      local r = sweep[name]
      if r == nil or r.unknown or r.up then all_down = false break end
    end
    if not all_down then break end
    streak = streak + 1
    if streak == needed then break end
  end
  local who = #watched == 1 and ("watched host " .. watched[1]) or string.format("all %d watched hosts", #watched)
  if streak >= needed then
    return true, string.format("%s offline for %d %s", who, needed, plural(needed, "sweep"))
  end
  return false, string.format("%s offline for %d of %d %s", who, streak, needed, plural(needed, "sweep"))
end

--- When min_interval lets the next automatic night start (epoch), or nil when it holds none
-- back: one interval after the last good automatic night. A last good night "in the future"
-- (the clock was stepped back, perhaps by our own time sync) never blocks a backup.
-- `status` and `check --explain` ask this too, so their forecast follows the same rule.
function trigger.not_before(night, min_interval, now)
  local last = night and night.last_good_automatic
  if last and (min_interval or 0) > 0 and last <= now then return last + min_interval end
  return nil
end

-- The decision once the failed attempts that count are known (defined below).
local decide_with

--- Decides one cycle. `input`:
--   now (epoch), manual (bool), watched (names), offline_sweeps,
--   sweeps (oldest first, the last is this cycle's: name -> {up=, unknown=}),
--   window (nil, or {text=, inside=, start=, ["end"]=, next=} from core.window),
--   night (the state's memory: last_good_automatic, failed_attempts, first_failed, window_used),
--   min_interval, max_attempts (settings, in seconds / a count).
-- Returns {run=bool, reason=string, window_key=epoch?, new_series=bool?}: window_key names the
-- occurrence a night started in, so that its end can use the window up (never the decision
-- itself); new_series says the failed series in `night` is over, so a failure of this night
-- is the first of a new one. The night's end records exactly that (NightMemory.finish): the
-- series this function counts is the series that is written.
function trigger.decide(input)
  local now, night = input.now, input.night or {}
  local window = input.window
  local key = window and window.inside and window.start or nil

  if input.manual then return { run = true, reason = "manual run", window_key = key } end

  -- Failed attempts belong to one night: a new window occurrence, or min_interval (12h when it
  -- is 0) after the first of them, starts a fresh series.
  local attempts = night.failed_attempts or 0
  local new_series = attempts <= 0
  if attempts > 0 and night.first_failed then
    local fresh_window = key and night.first_failed < key
    local period = (input.min_interval or 0) > 0 and input.min_interval or 43200
    local age = now - night.first_failed
    if fresh_window or age >= period or age < 0 then attempts, new_series = 0, true end
  elseif attempts > 0 then
    -- A count without its start cannot expire: it is not trusted either.
    attempts, new_series = 0, true
  end
  local d = decide_with(input, now, night, window, key, attempts)
  if d.run then d.new_series = new_series end
  return d
end

decide_with = function(input, now, night, window, key, attempts)
  local max_attempts = input.max_attempts or 3

  local triggers, text = offline_state(input)
  local window_open = key and not (night.window_used and night.window_used >= key)

  if attempts >= max_attempts then
    local next_try = window and window.next and ("; next try when the force window opens at " .. clock(window.next))
      or "; next try after the next good night or with --manual"
    return { run = false, reason = string.format("%d failed %s in a row (max_attempts %d)%s", attempts,
      plural(attempts, "night"), max_attempts, next_try) }
  end

  -- min_interval: one automatic backup per interval.
  local not_before = trigger.not_before(night, input.min_interval, now)
  if not_before and now < not_before then
    return { run = false, reason = string.format("the last good night ended %s ago (min_interval %s)",
      fmt(now - night.last_good_automatic), fmt(input.min_interval)) }
  end

  local retry = attempts > 0 and string.format(" (retry %d of %d)", attempts + 1, max_attempts) or ""
  if triggers then return { run = true, reason = text .. retry, window_key = key } end

  if window_open then
    return { run = true, reason = string.format("inside force window %s (not yet backed up in it)%s; %s",
      window.text, retry, text), window_key = key }
  end
  if key then
    return { run = false, reason = string.format("%s; force window %s already used tonight", text, window.text) }
  end
  if window and window.next then
    return { run = false, reason = string.format("%s; force window %s opens in %s", text, window.text,
      fmt(window.next - now)) }
  end
  return { run = false, reason = text }
end

return trigger
