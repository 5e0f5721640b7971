-- nightshift.strict: the site script may only read and assign globals that exist or
-- are declared: a typo (`hots "x" {}`, `chek_every = ...` at top level) is an error
-- that names it, instead of a silent nil.
local ns, core = ...
core.require "nightshift.prelude"
local declared = {}

local function where(level)
  local info = debug.getinfo(level, "Sl")
  if info and info.currentline and info.currentline > 0 then
    return info.short_src .. ":" .. info.currentline .. ": "
  end
  return ""
end

local function suggestion(name)
  -- The names by pairs: indexing _G here would come back to this very __index.
  local names = {}
  for k in pairs(_G) do names[#names + 1] = k end
  local best = core.util.suggest(name, names)
  return best and ("; did you mean '" .. best .. "'?") or ""
end

--- Declares globals the site script may assign (`global "name"` or `global {"a", "b"}`).
function global(names)
  for _, n in ipairs(type(names) == "table" and names or { names }) do declared[n] = true end
end

setmetatable(_G, {
  __newindex = function(t, k, v)
    if not declared[k] then
      error(where(3) .. "assignment to undeclared global '" .. tostring(k) ..
        "' (use 'local " .. tostring(k) .. "', or declare it with global \"" .. tostring(k) .. "\")", 0)
    end
    rawset(t, k, v)
  end,
  __index = function(_, k)
    if declared[k] then return nil end
    error(where(3) .. "undefined global '" .. tostring(k) .. "'" .. suggestion(tostring(k)), 0)
  end,
})
