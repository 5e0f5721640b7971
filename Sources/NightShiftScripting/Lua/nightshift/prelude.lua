-- nightshift.prelude: runs first. Makes `require "nightshift"` return the module the
-- Swift core built, adds printf-style logging on top of the raw log primitives.
local ns, core = ...
package.loaded.nightshift = ns

-- A site script fails its cycle with error(); it never ends the daemon (docs/design.md, invariant 7).
os.exit = function()
  error("os.exit is not available in a NightShift script (use error() to fail the cycle)", 2)
end

local raw = core.rawlog
local function formatter(level)
  return function(fmt, ...)
    local msg
    if select("#", ...) > 0 then
      local ok, formatted = pcall(string.format, tostring(fmt), ...)
      msg = ok and formatted or (tostring(fmt) .. " [format error: " .. tostring(formatted) .. "]")
    else
      msg = tostring(fmt)
    end
    raw(level, msg)
  end
end

ns.log = {
  debug = formatter("debug"),
  info = formatter("info"),
  warn = formatter("warn"),
  error = formatter("error"),
  console = function(msg) raw("console", tostring(msg)) end,
  file = function(msg) raw("file", tostring(msg)) end,
  path = core.logpath,
}

-- Shallow helpers shared by the library modules (not part of the public API).
local util = {}
core.util = util

function util.list(v)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  return { v }
end

function util.keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out, function(a, b) return tostring(a) < tostring(b) end)
  return out
end

function util.join(list, sep)
  local out = {}
  for i, v in ipairs(list) do out[i] = tostring(v) end
  return table.concat(out, sep or ", ")
end

function util.contains(list, value)
  for _, v in ipairs(list) do if v == value then return true end end
  return false
end

--- The closest of `candidates` (array or keys of a table) to `word`, if it is a likely typo:
--- Swift's one did-you-mean (LuaBinding's Suggestion), the same for options, keys and globals.
function util.suggest(word, candidates)
  local names = {}
  for _, c in ipairs(candidates[1] and candidates or util.keys(candidates)) do
    if type(c) == "string" then names[#names + 1] = c end
  end
  return core.suggest(word, names)
end

return util
