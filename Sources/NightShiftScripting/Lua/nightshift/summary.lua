-- nightshift.summary: what each copy tool reported (rsync --stats counts, what its exit
-- code means), and the night's summary block at the end of every night.
local ns, core = ...
core.require "nightshift.prelude"
local summary = {}
core.summary = summary

-- rsync(1) "EXIT VALUES".
local RSYNC_EXIT = {
  [0] = "success", [1] = "syntax or usage error", [2] = "protocol incompatibility",
  [3] = "errors selecting input/output files, dirs", [4] = "requested action not supported",
  [5] = "error starting client-server protocol", [6] = "daemon unable to append to log-file",
  [10] = "error in socket I/O", [11] = "error in file I/O", [12] = "error in rsync protocol data stream",
  [13] = "errors with program diagnostics", [14] = "error in IPC code", [20] = "received SIGUSR1 or SIGINT",
  [21] = "some error returned by waitpid()", [22] = "error allocating core memory buffers",
  [23] = "partial transfer due to error", [24] = "partial transfer due to vanished source files",
  [25] = "the --max-delete limit stopped deletions", [30] = "timeout in data send/receive",
  [35] = "timeout waiting for daemon connection",
}
-- FreeFileSync's batch exit codes.
local FFS_EXIT = { [0] = "success", [1] = "finished with warnings", [2] = "finished with errors", [3] = "aborted" }

-- The `exit_codes` presets, in the order messages list them: which exit codes mean ok and
-- which warning. The one home of their names too (check accepts these, the night judges by them).
local PRESETS = {
  { name = "plain", ok = { 0 } },
  { name = "rsync", ok = { 0 }, warning = { 23, 24 } },
  { name = "freefilesync", ok = { 0 }, warning = { 1 } },
}
summary.preset_names, summary.presets = {}, {}
for i, p in ipairs(PRESETS) do
  summary.preset_names[i] = p.name
  summary.presets[p.name] = { ok = p.ok, warning = p.warning }
end

-- The copy tool a job runs: "rsync", "freefilesync" or nil. Its `exit_codes` preset names it
-- (every preset but "plain" is a tool's); else any argv word (a wrapper such as ssh or a
-- progress filter may come first).
function summary.tool(job)
  if job.exit_codes ~= "plain" and summary.presets[job.exit_codes] then return job.exit_codes end
  local words = type(job.run) == "table" and job.run or (type(job.run) == "string" and { job.run:match("^%s*(%S+)") }) or {}
  for _, word in ipairs(words) do
    local program = tostring(word):match("([^/\\%s]+)$") or ""
    program = program:lower()
    if program == "rsync" or program:find("^rsync[%.%-]") then return "rsync" end
    if program:find("freefilesync", 1, true) then return "freefilesync" end
  end
  return nil
end

-- "1,234" -> 1234 (rsync groups digits with commas, or with dots/apostrophes in some locales).
local function count(text)
  if not text then return nil end
  return tonumber((text:gsub("[,.' ]", "")))
end

--- What the copy tool reported for exec result `r`: {files=, total_files=, bytes=, meaning=} or nil.
-- Counts come from rsync's --stats block; without it only the exit code's meaning is known.
function summary.copy_stats(job, r)
  local tool = summary.tool(job)
  if not tool or type(r) ~= "table" or not r.seconds then return nil end
  local out = {}
  if r.code then out.meaning = (tool == "rsync" and RSYNC_EXIT or FFS_EXIT)[r.code] end
  local text = r.stdout or ""
  if tool == "rsync" then
    out.files = count(text:match("Number of regular files transferred: ([%d,.' ]+)"))
    -- "Number of files: 209 (reg: 200, dir: 9)": the regular files rsync looked at; without
    -- a "reg:" part (e.g. "1 (dir: 1)") there were none.
    local all, kinds = text:match("Number of files: ([%d,.']+) ?(%b())")
    if kinds then
      out.total_files = count(kinds:match("reg: ([%d,.']+)")) or 0
    else
      all = text:match("Number of files: ([%d,.']+)")
      if all and count(all) == 0 then out.total_files = 0 end
    end
    out.bytes = count(text:match("Total transferred file size: ([%d,.' ]+) bytes"))
    out.total_bytes = count(text:match("Total file size: ([%d,.' ]+) bytes"))
  end
  return out
end

--- Whether `stats` say the run backed up nothing (the tool reported counts, and they are zero).
function summary.empty(stats)
  return stats ~= nil and stats.total_files ~= nil and stats.total_files == 0
end

local function human(bytes)
  return bytes and core.format_size(bytes) or "?"
end

--- The night's summary as lines: one per job of the plan (run or not).
function summary.lines(night, result)
  local lines = { string.format("=== Night summary: %s ===", result) }
  local order = {}
  for _, name in ipairs(night.plan or {}) do order[#order + 1] = name end
  for _, name in ipairs(core.util.keys(night.results)) do
    if not core.util.contains(order, name) then order[#order + 1] = name end
  end
  for _, name in ipairs(order) do
    local r = night.results[name]
    if r then
      local s = r.stats
      local copied = ""
      if s and s.files then
        copied = string.format(", %d of %s files, %s", s.files, s.total_files and tostring(s.total_files) or "?", human(s.bytes))
      end
      local meaning = s and s.meaning and (" - " .. s.meaning) or ""
      lines[#lines + 1] = string.format("  %-20s %-8s %7.1f s%s (%s%s)", name, r.result, r.seconds or 0, copied,
        tostring(r.reason), meaning)
    else
      lines[#lines + 1] = string.format("  %-20s %-8s", name, "not run")
    end
  end
  return lines
end

return summary
