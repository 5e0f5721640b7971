-- nightshift.init: the private loader of the embedded library and its load order. Swift
-- runs this chunk alone with the public module, the private core table (the internal
-- bindings) and the compiled chunks by module name. Every chunk gets `ns, core` as its
-- arguments; neither core nor the chunks are a global, in package.loaded or package.preload,
-- so a site script can reach no internal. Swift fails the start when a chunk is never loaded.
local ns, core, chunks = ...

-- loaded[name]: false while the module runs, true once it ran (Swift reads it: booleans only);
-- its result is kept apart.
local loaded, results = {}, {}
core.loaded = loaded

--- Runs the embedded module `name` once (`core.require "nightshift.dsl"`) and returns its result.
function core.require(name)
  local state = loaded[name]
  if state == false then error("embedded module '" .. tostring(name) .. "' requires itself (a require cycle)", 2) end
  if state then return results[name] end
  local chunk = chunks[name]
  if not chunk then error("no embedded module '" .. tostring(name) .. "'", 2) end
  loaded[name] = false
  local result = chunk(ns, core)
  if result == nil then result = true end
  results[name], loaded[name] = result, true
  return result
end

loaded["nightshift.init"] = true
-- The prelude first (require "nightshift" and the log), then the sandbox, so every module
-- after it captures the sandboxed pcall and load; strict last, because from then on every
-- global must be declared.
core.require "nightshift.prelude"
core.require "nightshift.sandbox"
core.require "nightshift.actions"
core.require "nightshift.report"
core.require "nightshift.notify"
core.require "nightshift.cycle"
core.require "nightshift.live"
core.require "nightshift.strict"
