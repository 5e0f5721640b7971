-- nightshift.hints: the one did-you-mean for keys and options. Words people bring from
-- other tools (`address`, `wol`, `hostname`) are not typos an edit distance finds, so
-- they get a table of their own; anything else goes to the edit-distance suggestion.
local ns, core = ...
local util = core.require "nightshift.prelude"
local hints = {}
core.hints = hints

-- What people write -> the key NightShift means. A synonym counts only where its target
-- is a key of the table being checked (`to` means `target` in a job, not in ntfy).
local SYNONYMS = {
  address = "ip", addr = "ip", ipaddr = "ip", ip_address = "ip", ipv4 = "ip", ips = "ip",
  hostname = "ip", host = "ip", fqdn = "ip",
  wol = "mac", macaddr = "mac", mac_address = "mac", hwaddr = "mac", ether = "mac", macs = "mac",
  username = "user", login = "user", ssh_user = "user",
  check_interval = "check_every", interval = "check_every", every = "check_every",
  window = "force_window", backup_window = "force_window",
  sleep = "self_sleep", after_backup = "self_sleep",
  logfile = "log_file", log = "log_file", statedir = "state_dir", state = "state_dir",
  src = "source", from = "source",
  dst = "target", dest = "target", destination = "target", to = "target",
  command = "run", cmd = "run", exec = "run", program = "run", argv = "run",
  after_job = "after",
  timesync = "time_sync", sync_time = "time_sync", ntp = "time_sync",
  endpoint = "url", uri = "url", webhook = "url", server = "url",
  events = "on", when = "on",
  email = "to", mail = "to", recipient = "to",
  ssh_key = "key", identity = "key", identity_file = "key",
  creds = "credentials", credentials_file = "credentials", auth = "credentials",
}

local function has(candidates, name)
  if candidates[1] ~= nil then return util.contains(candidates, name) end
  return candidates[name] ~= nil
end

--- The key `word` most likely meant among `candidates` (an array, or a table's keys), or nil.
function hints.suggest(word, candidates)
  if type(word) ~= "string" then return nil end
  local meant = SYNONYMS[word:lower()]
  if meant and has(candidates, meant) then return meant end
  return util.suggest(word, candidates)
end

--- "; did you mean 'x'?" for `word` among `candidates`, or "".
function hints.did_you_mean(word, candidates)
  local best = hints.suggest(word, candidates)
  return best and ("; did you mean '" .. best .. "'?") or ""
end

-- Extra words for an unknown option, where the meaning lives elsewhere.
local OPTION_NOTES = {
  topic = "the topic is the last part of url, e.g. \"https://ntfy.sh/office-backup\"",
  title = "the title is set by NightShift per event",
}

--- Raises at the caller's caller (`level` as error() counts from the helper that calls this)
-- when `o` is not a table, or for a key of `o` that is not in `allowed`: `bad argument #1 to
-- 'ntfy' (unknown option 'ulr'; did you mean 'url'?; the options are url, on)`. With
-- `positional` (what the array part holds, like "argv"), the keys 1..#o are taken too.
function hints.options(fname, o, allowed, level, positional)
  if type(o) ~= "table" then
    error(string.format("bad argument #1 to '%s' (table expected, got %s)", fname, type(o)), level + 1)
  end
  local n = positional and #o or 0
  for key in pairs(o) do
    local known = type(key) == "string" and util.contains(allowed, key)
      or (math.type(key) == "integer" and key >= 1 and key <= n)
    if not known then
      local note = type(key) == "string" and OPTION_NOTES[key]
      local hint = hints.suggest(key, allowed)
      error(string.format("bad argument #1 to '%s' (unknown option %s%s%s; the options are %s%s)", fname,
        type(key) == "string" and ("'" .. key .. "'") or ("[" .. tostring(key) .. "]"),
        hint and ("; did you mean '" .. hint .. "'?") or "", note and ("; " .. note) or "",
        util.join(allowed, ", "), positional and (" and the " .. positional .. " items") or ""), level + 1)
    end
  end
end

--- Raises at the caller's caller (`level` as in hints.options) for field `key` of an option
-- table: `bad argument #1 to 'ups' (field 'timeout' must be a number, got string)`, the
-- words the Swift primitives use.
function hints.bad_field(fname, key, requirement, level)
  error(string.format("bad argument #1 to '%s' (field '%s' %s)", fname, key, requirement), level + 1)
end

--- Field `key` of `o`, a time limit in seconds, or `default` when it is not given; raises like
-- hints.bad_field for anything but a number core.check.seconds takes (more than 0, at most
-- 10 years: the rule of every primitive's durations).
function hints.seconds_field(fname, o, key, default, level)
  local v = o[key]
  if v == nil then return default end
  if type(v) ~= "number" then hints.bad_field(fname, key, "must be a number, got " .. type(v), level + 1) end
  local seconds, why = core.check.seconds(v)
  if not seconds then hints.bad_field(fname, key, why, level + 1) end
  return seconds
end

--- Nil when `url` is an http(s) URL with a host; else why not, with the way to write it.
function hints.url_problem(url)
  if type(url) ~= "string" or url == "" then return "must be a URL string, got " .. (url == "" and "\"\"" or type(url)) end
  local scheme, rest = url:match("^(%a[%w+.%-]*)://(.*)$")
  if not scheme then
    return string.format("%q has no scheme: write \"http://%s\" or \"https://%s\"", url, url, url)
  end
  if scheme:lower() ~= "http" and scheme:lower() ~= "https" then
    return string.format("%q: only http:// and https:// are supported", url)
  end
  if not rest:match("^[^/?#]+") then return string.format("%q has no host", url) end
  if url:find("[%s%c]") then return string.format("%q contains a space or control character", url) end
  return nil
end

return hints
