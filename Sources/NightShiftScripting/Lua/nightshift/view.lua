-- nightshift.view: what site code gets of the library's own records. A routine's night,
-- a host record and the payloads of events are views or copies, never the live tables
-- the library decides by: a script that writes `night.was_up[pc] = true` or `h.mac`
-- would otherwise defeat invariant 1 or change the plan `check` prints. The views'
-- metatables are protected (`__metatable`), so `getmetatable` reaches no internal.
local ns, core = ...

-- Tables whose keys are weak: a view lives as long as what it shows (an ephemeron table).
local views = setmetatable({}, { __mode = "k" })
local nights = setmetatable({}, { __mode = "k" })

local function refuse_write(what)
  return function(_, key)
    error(string.format("%s is read-only (cannot set %s)", what, tostring(key)), 2)
  end
end

--- A read-only view of `value` (tables below it are viewed too; anything else is itself).
-- Indexing, `#`, `pairs` and `ipairs` see the table; writing raises naming `what`.
function core.readonly(value, what)
  if type(value) ~= "table" then return value end
  local view = views[value]
  if view then return view end
  view = setmetatable({}, {
    __index = function(_, key) return core.readonly(value[key], what) end,
    __newindex = refuse_write(what),
    __len = function() return #value end,
    __pairs = function()
      return function(_, key)
        local k, v = next(value, key)
        return k, core.readonly(v, what)
      end, value, nil
    end,
    __metatable = "read-only",
  })
  views[value] = view
  return view
end

--- A deep copy of `value` (shared and cyclic tables stay shared; functions are the same).
function core.copy(value, seen)
  if type(value) ~= "table" then return value end
  seen = seen or {}
  if seen[value] then return seen[value] end
  local out = {}
  seen[value] = out
  for k, v in next, value do out[core.copy(k, seen)] = core.copy(v, seen) end
  return out
end

-- What a routine may call on its night; the bookkeeping (`_release`, `_needed_later`)
-- and the class stay inside.
local public_methods = { "run", "ensure_up", "sync_time", "switch_off", "keep_on_reason", "finish",
  "wait_switched_off" }

--- The night as site code gets it: its documented methods, bound to the night in closures
-- (so `night:run(...)` works and no other self is ever used), and its fields as read-only
-- views. One view per night, so handlers and the routine see the same object.
function core.public_night(night)
  local public = nights[night]
  if public then return public end
  local class = getmetatable(night).__index
  local methods = {}
  for _, name in ipairs(public_methods) do
    local impl = class[name]
    methods[name] = function(_, ...) return impl(night, ...) end
  end
  public = setmetatable({}, {
    __index = function(_, key)
      local method = methods[key]
      if method then return method end
      return core.readonly(rawget(night, key), "night." .. tostring(key))
    end,
    __newindex = refuse_write("the night"),
    __pairs = function()
      return function(_, key)
        local k, v = next(night, key)
        return k, core.readonly(v, "night." .. tostring(k))
      end, night, nil
    end,
    __metatable = "night",
  })
  nights[night] = public
  return public
end

return ns
