-- nightshift.sandbox: runs right after the prelude. Takes away what would let a site
-- script step outside its bounds (docs/design.md, invariant 10): binary chunks (a crafted one crashes
-- Lua 5.4), the debug library's hooks and setters (the interruption and timeouts are a
-- hook), the collector's tuning (the memory cap), and shells (ns.exec takes argv).
-- The library modules loaded before this one keep what they captured.
local ns, core = ...

local raw_load, raw_loadfile = load, loadfile
local raw_pcall, raw_xpcall = pcall, xpcall
local raw_collect = collectgarbage
local select, error, type, tostring = select, error, type, tostring

local function refuse(name, instead)
  return function()
    error(name .. " is not available in a NightShift script" .. (instead and ("; " .. instead) or ""), 2)
  end
end

-- Binary chunks: every way in forces text mode. An explicit nil `env` still means "no
-- environment" to Lua, so the argument count is kept as given.
function load(chunk, name, _, ...)
  if select("#", ...) > 0 then return raw_load(chunk, name, "t", (...)) end
  return raw_load(chunk, name, "t")
end

function loadfile(filename, _, ...)
  if select("#", ...) > 0 then return raw_loadfile(filename, "t", (...)) end
  return raw_loadfile(filename, "t")
end

function dofile(filename)
  local fn, err = raw_loadfile(filename, "t")
  if not fn then error(err, 0) end
  return fn()
end

string.dump = function()
  error("string.dump is not available: binary chunks are refused", 2)
end

-- require: Lua files only, in text mode; no C modules (package.loadlib, cpath searchers).
local package = package
local function lua_searcher(name)
  local path, err = package.searchpath(name, package.path)
  if not path then return err end
  local fn, lerr = raw_loadfile(path, "t")
  if not fn then
    error(("error loading module '%s' from file '%s':\n\t%s"):format(name, path, lerr), 0)
  end
  return fn, path
end
package.searchers = { package.searchers[1], lua_searcher }
package.cpath = ""
package.loadlib = nil

-- debug: reading only. strict.lua and dsl.lua use getinfo; handlers use traceback.
local real_debug = debug
debug = { traceback = real_debug.traceback, getinfo = real_debug.getinfo }
package.loaded.debug = debug

-- collectgarbage: measuring and collecting, never stopping or retuning the collector.
local gc_allowed = { collect = true, count = true, step = true, isrunning = true }
function collectgarbage(opt, ...)
  if opt == nil then opt = "collect" end
  if not gc_allowed[opt] then
    error(("bad argument #1 to 'collectgarbage' (option '%s' is not available in a NightShift script)")
      :format(tostring(opt)), 2)
  end
  return raw_collect(opt, ...)
end

-- Finalizers: Lua runs __gc with hooks off (during any allocation, and when the state is
-- closed), so a looping one would ignore hook_timeout, SIGTERM and `check` (docs/design.md,
-- invariant 15). Lua marks an object for finalization only when its metatable holds __gc at
-- setmetatable, so refusing it there is enough; the metatables that already hold one (files)
-- are protected so that no script can put its own function in their __gc.
local raw_setmetatable, rawget = setmetatable, rawget
function setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("bad argument #2 to 'setmetatable' (__gc is not available in a NightShift script: "
      .. "a finalizer runs where hook_timeout and SIGTERM cannot stop it)", 2)
  end
  return raw_setmetatable(t, mt)
end
real_debug.getmetatable(io.stdout).__metatable = "FILE*"
real_debug.getmetatable("").__metatable = "string"

os.execute = refuse("os.execute", "use ns.exec (argv, no shell)")
io.popen = refuse("io.popen", "use ns.exec (argv, no shell)")

-- Lua reports a refused allocation as just "not enough memory": a script's pcall (and the
-- library's xpcall) gets the message that names the cap instead.
local memory_error = core.memory_error
local function explain(ok, ...)
  if ok or (...) ~= "not enough memory" then return ok, ... end
  local got, message = raw_pcall(memory_error)
  return false, got and message or "not enough memory"
end

function pcall(f, ...)
  return explain(raw_pcall(f, ...))
end

function xpcall(f, handler, ...)
  return explain(raw_xpcall(f, handler, ...))
end

return ns
