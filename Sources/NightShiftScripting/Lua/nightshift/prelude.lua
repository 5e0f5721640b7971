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

--- Edit distance with transpositions (optimal string alignment), for "did you mean".
function util.distance(a, b)
  a, b = a:lower(), b:lower()
  local d = {}
  for i = 0, #a do d[i] = { [0] = i } end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      d[i][j] = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:sub(i, i) == b:sub(j - 1, j - 1) and a:sub(i - 1, i - 1) == b:sub(j, j) then
        d[i][j] = math.min(d[i][j], d[i - 2][j - 2] + 1)
      end
    end
  end
  return d[#a][#b]
end

--- The closest of `candidates` (array or keys of a table) to `word`, if it is a likely typo.
function util.suggest(word, candidates)
  -- One-letter names are all "close" to each other; a long word costs O(n*m) for nothing.
  if #word < 3 or #word > 64 then return nil end
  local best, bestd
  local list = candidates[1] and candidates or util.keys(candidates)
  for _, c in ipairs(list) do
    local d = type(c) == "string" and #c <= 64 and util.distance(word, c) or math.huge
    if d <= math.max(1, #word // 3) and (not bestd or d < bestd) then best, bestd = c, d end
  end
  return best
end

return ns
