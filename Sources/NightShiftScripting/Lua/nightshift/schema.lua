-- nightshift.schema: every key the DSL words take, with its checker, and every setting's
-- default. The one home of the defaults: Swift reads the validated settings, never its own.
local ns, core = ...
local checks = core.require "nightshift.checks"
local check, list_of, READY_BUSY = core.check, checks.list_of, checks.ready_busy

-- `self_sleep` / `after`: a sleep mode (core.power_modes, the list Swift's PowerAction holds) or "none".
local SLEEP_MODES = { "none" }
for i, mode in ipairs(core.power_modes) do table.insert(SLEEP_MODES, i, mode) end

local SCHEMA = {
  settings = {
    check_every = check.positive_duration,
    force_window = check.window,
    self = check.string,
    self_sleep = check.enum(SLEEP_MODES),
    wake_timeout = check.positive_duration,
    off_timeout = check.duration,
    log_file = check.string,
    state_dir = check.string,
    offline_sweeps = check.positive,
    min_interval = check.duration,
    max_attempts = check.positive,
    hook_timeout = check.positive_duration,
    time_tolerance = check.duration,
    max_clock_step = check.positive_duration,
    lua_memory = check.size,
    ping_timeout = check.positive_duration,
    ping_retries = check.ping_retries,
    wake_repeat = check.wake_repeat,
    actions = check.actions,
    -- v2 observability
    max_age = check.positive_duration,
    metrics = check.string,
    busy = check.busy,
    self_wake = check.self_wake,
    self_wake_early = check.duration,
    rtc = check.string,
    -- v3: the office status page
    site = check.string,
    status_page = check.string,
    defer = check.defer,
    history_keep = check.positive_duration,
  },
  host = {
    ip = list_of(check.address),
    mac = list_of(check.mac),
    via = check.ip,
    interface = check.string,
    broadcast = check.ipv4,
    wol_port = check.port,
    password = check.password,
    user = check.user,
    watch = check.boolean,
    time_source = check.boolean,
    probe = check.probe,
    actions = check.actions,
    wake_timeout = check.positive_duration,
    ready = check.ready,
  },
  job = {
    source = check.string,
    target = check.string,
    run = check.run,
    after = check.enum(SLEEP_MODES),
    source_after = check.enum(SLEEP_MODES),
    time_sync = check.time_sync,
    exit_codes = check.exit_codes,
    timeout = check.job_timeout,
    cwd = check.string,
    env = check.env,
    log = check.enum({ "file", "both", "console", "none" }),
    -- v2 observability
    max_age = check.positive_duration,
    allow_empty = check.boolean,
  },
}
core.schema = SCHEMA

local DEFAULTS = {
  check_every = 3600,
  self_sleep = "none",
  wake_timeout = 180,
  off_timeout = 120,
  log_file = "nightshift.log",
  state_dir = "state",
  offline_sweeps = 1,
  min_interval = 43200,
  max_attempts = 3,
  hook_timeout = 300,
  time_tolerance = 0.5,
  max_clock_step = 86400,
  lua_memory = 536870912,
  ping_timeout = 1,
  ping_retries = 1,
  wake_repeat = 3,
  actions = {},
  max_age = 129600, -- 36h
  busy = READY_BUSY,
  -- self_wake has no fixed default: "window" when force_window is set, else "none" (busy.lua).
  self_wake_early = 300,
  rtc = "/sys/class/rtc/rtc0",
  defer = {},
  history_keep = 34560000, -- 400d
}
-- The one home of every setting's default: Swift reads the validated settings, never its own.
core.defaults = DEFAULTS
-- The cap while the site script's top level runs, until its settings{} sets lua_memory.
core.lua_memory(DEFAULTS.lua_memory)

return { schema = SCHEMA, defaults = DEFAULTS }
