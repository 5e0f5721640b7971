-- lua5.4 load-loop.lua SCRIPT N: loads and runs SCRIPT N times in this one process, each
-- time with a fresh stub module (scripts/bench-support/nightshift.lua), and prints the
-- CPU seconds per load. In-process, because one load (about a millisecond) is smaller
-- than the noise of starting a process on a busy machine.
local script, n = arg[1], tonumber(arg[2] or "1000")
local t0 = os.clock()
for _ = 1, n do
  package.loaded.nightshift = nil
  local chunk = assert(loadfile(script))
  chunk()
end
print(string.format("%.9f", (os.clock() - t0) / n))
