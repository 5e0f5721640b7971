---@meta nightshift
-- LuaLS annotations for NightShift site scripts: editor completion and type
-- checks only, never loaded at runtime. Reference: docs/lua-api.md.
--
-- VS Code / Neovim (lua-language-server): add this folder to the workspace
-- library, e.g. in .luarc.json: { "workspace.library": ["docs"], "runtime.version": "Lua 5.4" }

---@alias ns.Duration number|string  seconds, or "90s", "5m", "1h", "1h30m", "2d"
---@alias ns.SleepMode "hibernate"|"suspend"|"shutdown"|"none"
---@alias ns.LogMode "file"|"both"|"console"|"none"
---@alias ns.JobResult "ok"|"warning"|"failed"
---@alias ns.Event "sweep"|"before_backup"|"after_job"|"after_backup"|"failure"|"before_sleep"
---@alias ns.Argv string[]  argv template; placeholders {ip} {user} {name} {epoch}; {{ }} literal braces

---@class ns.Actions
---@field shutdown? ns.Argv
---@field suspend? ns.Argv
---@field hibernate? ns.Argv
---@field set_time? ns.Argv  sets the host's clock to {epoch} / {epoch_frac}, or adjusts it by {offset}
---@field get_time? ns.Argv  prints the host's clock as Unix seconds with a fraction (hosts without SNTP)
---@field in_use? ns.Argv  exit 0 = somebody uses the host, 1 = nobody, else unknown (stays on)
---@field [string] ns.Argv

---@class ns.Target
---@field [1] string  address
---@field via? string  source address
---@field tcp? integer  TCP port to probe instead of ICMP
---@field probe? ns.Probe|ns.Probe[]  how to probe it (up if any answers)

---"icmp", "tcp:PORT", "arp" (on-link IPv4, CAP_NET_RAW) or "auto" (ICMP, plus ARP when on-link)
---@alias ns.Probe string

---@class ns.ProbeResult
---@field up boolean
---@field rtt_ms? number
---@field error? string
---@field unknown? boolean  the probe failed on this machine: never counts as offline
---@field probe? string  which probe answered, when a target was asked several ways
---@field asleep? boolean  "auto" saw it by ARP only and it gave no NetBIOS answer: counted offline

---@class ns.HostProbe: ns.ProbeResult
---@field ip? string  the address that answered

---@class ns.PingOptions
---@field timeout? number  seconds per probe (default 1)
---@field retries? integer  further probes after an unanswered one (default 1)
---@field via? string  source address
---@field tcp? integer  TCP connect probe on this port
---@field probe? ns.Probe|ns.Probe[]  "icmp" (default), "tcp:PORT", "arp", "auto", or an array
---@field listening? boolean  TCP probes: up only when the port accepts the connection (refused = down)

---@class ns.WaitOptions: ns.PingOptions
---@field timeout? number  overall seconds (default 180)
---@field interval? number  seconds between rounds (default 2)
---@field probe_timeout? number  seconds per probe (default 1)
---@field any? boolean  return as soon as one target answers

---@class ns.WakeOptions
---@field broadcast? string  numeric IPv4 (default "255.255.255.255")
---@field port? integer  UDP port (default 9)
---@field via? string  source IPv4 address
---@field interface? string  device name
---@field password? string  SecureOn password (4 or 6 bytes)
---@field repeat? integer  packets per MAC (default 3, 1-100)

---@class ns.ExecOptions
---@field timeout? number  seconds (more than 0; leave it out for no limit), then the process group is terminated
---@field cwd? string
---@field env? table<string, string>  added to the environment
---@field stdin? string
---@field log? ns.LogMode  default "file"
---@field ok_codes? integer[]  default { 0 }

---@class ns.ExecResult
---@field ok boolean
---@field code? integer
---@field signal? integer
---@field timed_out boolean
---@field stdout string  last 1 MiB
---@field stderr string  last 1 MiB
---@field seconds number
---@field stdout_truncated? boolean
---@field stderr_truncated? boolean
---@field dry_run? boolean  set under --dry-run (nothing ran)
---@field interrupted? boolean  our SIGINT/SIGTERM teardown ended it

---@class ns.TimeSample
---@field offset number  server clock minus ours, seconds
---@field delay number  round trip, seconds
---@field stratum integer
---@field time number  the server's time, epoch seconds

---@class ns.SshOptions
---@field key? string  identity file
---@field port? integer
---@field connect_timeout? number  default 10
---@field options? string[]  extra -o options

---@class ns.RpcOptions
---@field credentials string  smbclient authentication file (--authentication-file; required, chmod 600)
---@field message? string  shown on the PC before it shuts down (default "NightShift backup finished")

---@class ns.Host
---@field name string
---@field ip string[]
---@field mac string[]
---@field via? string
---@field interface? string
---@field broadcast? string
---@field wol_port? integer
---@field password? string
---@field user? string
---@field watch boolean
---@field time_source boolean
---@field probe ns.Probe|ns.Probe[]  "auto" unless set
---@field ready "auto"|"none"|string|string[]  "auto" unless set
---@field actions ns.Actions
---@field wake_timeout? number

---@class ns.JobRecord
---@field name string
---@field source string
---@field target string
---@field time_sync "auto"|"none"|fun(ctx: ns.TimeSyncContext): boolean?, string?

---@class ns.RunContext
---@field job string
---@field source string
---@field target string
---@field night ns.Night
---@field dry_run boolean

---@class ns.TimeSyncContext
---@field job string
---@field source string
---@field target string
---@field night ns.Night

---@class ns.JobOutcome
---@field result ns.JobResult
---@field reason? string

---@class ns.Night
---@field sweep table<string, ns.HostProbe>  the sweep before the night
---@field was_up table<string, boolean>
---@field state_known boolean
---@field woken table<string, true>
---@field came_up table<string, true>
---@field answering table<string, string>
---@field pending table<string, string>
---@field switched_off string[]
---@field results table<string, ns.JobOutcome>
---@field done table<string, true>
---@field plan string[]
local Night = {}

--- Runs one job (wake, wait, clock sync, copy, switch-offs). Raises on an unknown job name.
---@param job string
---@return ns.JobResult result
---@return string reason
function Night:run(job) end

--- Wakes the hosts that are down and waits for them.
---@param names string[]
---@return boolean ok
---@return string? reason
function Night:ensure_up(names) end

--- Applies a job's time_sync rule (takes a job record, not a name).
---@param job ns.JobRecord
---@return boolean? ok
---@return string? err
function Night:sync_time(job) end

--- Switches a host off unless it must stay on.
---@param name string
---@param mode "shutdown"|"suspend"|"hibernate"
---@return boolean switched
---@return string? why
function Night:switch_off(name, mode) end

--- Why the host must stay on, or nil.
---@param name string
---@return string?
function Night:keep_on_reason(name) end

--- Switches off every host still waiting for its last job.
function Night:finish() end

--- Waits until the switched-off hosts stop answering (settings.off_timeout).
---@return boolean
function Night:wait_switched_off() end

---@class ns.SettingsSpec
---@field check_every? ns.Duration  default 3600
---@field force_window? string|false  "03:00-05:00"
---@field self? string  host name of this machine (default: the host whose ip is one of this machine's addresses)
---@field self_sleep? ns.SleepMode  default "none"
---@field wake_timeout? ns.Duration  default 180
---@field off_timeout? ns.Duration  default 120
---@field log_file? string  default "nightshift.log"
---@field state_dir? string  default "state"
---@field offline_sweeps? integer  default 1
---@field ping_timeout? ns.Duration  default 1
---@field ping_retries? integer  default 1
---@field wake_repeat? integer  default 3
---@field actions? ns.Actions  defaults for every host but self
---@field min_interval? ns.Duration  default 43200: no automatic night this soon after a good one
---@field max_attempts? integer  default 3: failed automatic nights before the next good one or window
---@field hook_timeout? ns.Duration  default 300: bounds every piece of site Lua the night calls
---@field lua_memory? number|string  default 536870912 ("512MiB"): the Lua allocator's cap
---@field max_age? ns.Duration  default 129600 ("36h"): a job whose last good run is older is stale
---@field metrics? string  path of a Prometheus textfile written after every cycle (relative: the script's folder)
---@field time_tolerance? ns.Duration  default 0.5: clock sync sets nothing within it
---@field max_clock_step? ns.Duration  default 86400 ("1d"): the largest step of a plausible clock from one reference
---@field busy? (ns.BusyCheck|string|fun(): boolean, string?)[]  default {"smb", "nfs", "logins", "inhibitors"}: any busy check keeps this machine awake
---@field self_wake? "window"|"none"|ns.Duration|fun(): number  default "window" with force_window, else "none": the wake alarm set before sleeping
---@field self_wake_early? ns.Duration  default 300: self_wake = "window" wakes this long before the window opens
---@field rtc? string  default "/sys/class/rtc/rtc0": its wakealarm is written when self has no wake_at action
---@field site? string  default: this machine's hostname; the status page's title (and Healthchecks names <site>/<job>)
---@field status_page? string  path of the office status page (self-contained HTML) rewritten after every cycle and night phase
---@field defer? (ns.DeferGate|fun(): boolean?, string?)[]  default {}: gates that hold back an automatic night (not --manual)
---@field history_keep? ns.Duration  default 34560000 ("400d"): history.jsonl drops records that ended longer ago (once a day)

---@class ns.HostSpec
---@field ip? string|string[]  required except for self
---@field mac? string|string[]  aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff (any case); every MAC is woken
---@field via? string
---@field interface? string
---@field broadcast? string  default "255.255.255.255"
---@field wol_port? integer  default 9
---@field password? string
---@field user? string
---@field watch? boolean  default true
---@field time_source? boolean  default false
---@field probe? ns.Probe|ns.Probe[]  "auto" (default: ICMP, plus ARP on-link), "icmp", "tcp:PORT", "arp", or an array
---@field ready? "auto"|"none"|string|string[]  TCP ports ("tcp:PORT") that must accept a connection before a job acts on it, within wake_timeout; "auto" (default): its ssh actions' port
---@field actions? ns.Actions
---@field wake_timeout? ns.Duration

---@class ns.ExitCodes
---@field ok? integer[]
---@field warning? integer[]

---@class ns.JobSpec
---@field source string
---@field target string
---@field run string[]|string|fun(ctx: ns.RunContext): any, string?
---@field after? ns.SleepMode  default "none"
---@field source_after? ns.SleepMode  default "none"
---@field time_sync? "auto"|"none"|fun(ctx: ns.TimeSyncContext): boolean?, string?
---@field exit_codes? "plain"|"rsync"|"freefilesync"|ns.ExitCodes
---@field timeout? ns.Duration
---@field max_age? ns.Duration  this job's own staleness limit (default settings.max_age)
---@field allow_empty? boolean  default false: a run that found nothing to copy is a warning
---@field cwd? string  default: the script's folder (relative: to it)
---@field env? table<string, string>
---@field log? ns.LogMode  default "both"

---@class ns.TriggerInput
---@field hosts table<string, ns.HostProbe>
---@field online string[]
---@field watched string[]
---@field manual boolean
---@field default {run: boolean, reason: string}
---@field now number

--- Site-wide settings (once per script).
---@param tbl ns.SettingsSpec
function settings(tbl) end

--- Declares a machine: host "Name" { ... }.
---@param name string
---@return fun(tbl: ns.HostSpec): ns.Host
function host(name) end

--- Declares a backup job: job "Name" { ... }.
---@param name string
---@return fun(tbl: ns.JobSpec)
function job(name) end

--- Adds an event handler.
---@param event ns.Event
---@param handler fun(ev: table)
function on(event, handler) end

--- Replaces the default job sequence.
---@param fn fun(night: ns.Night)
function routine(fn) end

--- Replaces the backup decision.
---@param fn fun(t: ns.TriggerInput): boolean, string?
function trigger(fn) end

--- Declares globals the script may assign.
---@param names string|string[]
function global(names) end

---@class nightshift
---@field dry_run boolean  --dry-run (and nightshift check)
---@field debug boolean  --debug
---@field manual boolean  --manual (only the first cycle is a manual run)
---@field version string
local ns = {}

--- Probes targets concurrently.
---@param targets string|(string|ns.Target)[]
---@param opts? ns.PingOptions
---@return table<string, ns.ProbeResult>
function ns.ping(targets, opts) end

--- Probes one target.
---@param target string|ns.Target
---@param opts? ns.PingOptions
---@return boolean
function ns.is_up(target, opts) end

--- Probes until all targets answer (or any, with opts.any) or the timeout passes.
---@param targets string|(string|ns.Target)[]
---@param opts? ns.WaitOptions
---@return table<string, ns.ProbeResult>
function ns.wait_up(targets, opts) end

--- Sends magic packets; returns the number sent.
---@param macs string|string[]
---@param opts? ns.WakeOptions
---@return integer
function ns.wake(macs, opts) end

--- Runs a program (argv without a shell, or a string through /bin/sh -c).
---@param argv string[]|string
---@param opts? ns.ExecOptions
---@return ns.ExecResult
function ns.exec(argv, opts) end

--- Waits, showing a live countdown on a terminal.
---@param seconds number
---@param text? string  default "Next check in"
function ns.countdown(seconds, text) end

--- Waits (interruptible).
---@param seconds number
function ns.sleep(seconds) end

---@return string
function ns.hostname() end

--- Epoch seconds with a fraction.
---@return number
function ns.now() end

--- "42s", "5m 03s", "1h 05m", "2d 03h".
---@param seconds number
---@return string
function ns.format_duration(seconds) end

--- Substitutes values into every element of an argv template.
---@param template string[]
---@param values table<string, string|number>
---@return string[]
function ns.template(template, values) end

ns.log = {}

--- string.format-style line at INFO.
---@param fmt any
---@param ... any
function ns.log.info(fmt, ...) end
---@param fmt any
---@param ... any
function ns.log.warn(fmt, ...) end
---@param fmt any
---@param ... any
function ns.log.error(fmt, ...) end
---@param fmt any
---@param ... any
function ns.log.debug(fmt, ...) end
--- Console only.
---@param msg any
function ns.log.console(msg) end
--- Log file only.
---@param msg any
function ns.log.file(msg) end
--- The log file's path, or nil.
---@return string?
function ns.log.path() end

ns.time = {}

--- SNTP query.
---@param server string
---@param opts? {port?: integer, timeout?: number}
---@return ns.TimeSample|nil sample
---@return string? err
function ns.time.query(server, opts) end

--- Steps this machine's clock by offset seconds (refused beyond settings.max_clock_step, or before this build's date).
---@param offset number
---@return true|nil ok
---@return string? err
function ns.time.step(offset) end

ns.power = {}

--- This machine: the self host's action, else systemctl hibernate.
---@return true|nil ok
---@return string? err
function ns.power.hibernate() end
---@return true|nil ok
---@return string? err
function ns.power.suspend() end
---@return true|nil ok
---@return string? err
function ns.power.shutdown() end

---@class ns.BusyCheck
---@field busy_check string  the name the log uses
---@field run fun(): boolean, string?  busy, why

ns.busy = {}

--- Busy while Samba has sessions or open files (smbstatus --json, else its tables).
---@param opts? {config?: string}  config: the smb.conf smbstatus reads (--configfile)
---@return ns.BusyCheck
function ns.busy.smb(opts) end
--- Busy while nfsd has clients (/proc/fs/nfsd/clients, else :2049 connections).
---@param opts? {clients?: string}
---@return ns.BusyCheck
function ns.busy.nfs(opts) end
--- Busy while somebody is logged in (loginctl, else who).
---@return ns.BusyCheck
function ns.busy.logins() end
--- Busy while network traffic is above kbps kB/s.
---@param opts {kbps: number, seconds?: number, devices?: string[]}
---@return ns.BusyCheck
function ns.busy.traffic(opts) end
--- Busy while disk I/O is above kbps kB/s.
---@param opts {kbps: number, seconds?: number, devices?: string[]}
---@return ns.BusyCheck
function ns.busy.disk(opts) end
--- Busy while a process of one of these names runs.
---@param names string|string[]
---@return ns.BusyCheck
function ns.busy.processes(names) end
--- Busy while a systemd inhibitor lock blocks sleep.
---@return ns.BusyCheck
function ns.busy.inhibitors() end

---@class ns.DeferGate
---@field defer_check string  the name the log uses
---@field run fun(): boolean?, string?  defer (true), go (false) or cannot tell (nil), and why

ns.defer = {}

--- Defers while the NUT UPS (upsc NAME@HOST[:PORT]) is on battery (OB) or low (LB).
---@param opts {ups: string, timeout?: number}
---@return ns.DeferGate
function ns.defer.ups(opts) end
--- Exit 0 go; exit 1 defer (first output line: the reason); anything else cannot tell (defers).
---@param argv string[]|{[1]: string[], timeout?: number}
---@return ns.DeferGate
function ns.defer.command(argv) end

ns.parse = {}

---@param value number|string
---@return number|nil seconds
---@return string? err
function ns.parse.duration(value) end
---@param text string
---@return string|nil window
---@return string? err
function ns.parse.window(text) end
---@param text string
---@return string|nil ip
---@return string? err
function ns.parse.ip(text) end
---@param text string
---@return string|nil address
---@return string? err
function ns.parse.address(text) end
---@param text string
---@return string|nil mac  "aa:bb:cc:dd:ee:ff"
---@return string? err
function ns.parse.mac(text) end
--- Memory size: bytes, or "512MiB", "1GiB", "64MB" (1 MiB - 64 GiB).
---@param value number|string
---@return integer|nil bytes
---@return string? err
function ns.parse.size(value) end
--- SecureOn password: 4 or 6 hex bytes ("01:02:03:04:05:06") or "a.b.c.d".
---@param text string
---@return true|nil ok
---@return string? err
function ns.parse.password(text) end

ns.hosts = {}

--- A copy of the declared host record: writing to it changes nothing NightShift does.
---@param name string|ns.Host
---@return ns.Host
function ns.hosts.get(name) end
---@param name string|ns.Host
---@return boolean
function ns.hosts.is_self(name) end
---@param watched_only? boolean
---@return string[]
function ns.hosts.others(watched_only) end
---@param names string[]
---@return table<string, ns.HostProbe>
function ns.hosts.probe(names) end
---@param name string|ns.Host
---@param timeout? number  default 180
---@return boolean up
---@return string? address
function ns.hosts.wait_up(name, timeout) end
--- Waits until the host answers and its `ready` ports accept a connection, within one timeout.
---@param name string|ns.Host
---@param timeout? number  default the host's wake_timeout
---@return boolean ready
---@return string? address_or_reason  the address when ready, else why not
function ns.hosts.wait_ready(name, timeout) end
---@param name string|ns.Host
---@return integer packets
function ns.hosts.wake(name) end
---@param name string|ns.Host
---@param action string
---@param values? table<string, string|number>
---@return string[]|nil
function ns.hosts.action_argv(name, action, values) end
---@param name string|ns.Host
---@param action string
---@param values? table<string, string|number>
---@param opts? {timeout?: number, log?: ns.LogMode, ok_codes?: integer[]}
---@return ns.ExecResult|nil result
---@return string? err
function ns.hosts.run_action(name, action, values, opts) end

ns.actions = {}

--- Linux over ssh: shutdown, suspend, hibernate, set_time, get_time, in_use.
---@param opts? ns.SshOptions
---@return ns.Actions
function ns.actions.linux_ssh(opts) end
--- Windows with OpenSSH (cmd.exe shell): shutdown, hibernate, suspend, set_time (Set-Date -Adjust {offset}), get_time, in_use (query user).
---@param opts? ns.SshOptions
---@return ns.Actions
function ns.actions.windows_ssh(opts) end
--- Windows via Samba's net rpc: shutdown only (credentials from a file, never in argv).
---@param opts ns.RpcOptions
---@return ns.Actions
function ns.actions.windows_rpc(opts) end

ns.report = {}

--- A failure handler writing "<dir>/Backup Job <job> failed.txt".
---@param dir string
---@return fun(ev: table)
function ns.report.copy_log(dir) end

---@class ns.HTTPRequest
---@field url string  http:// or https://
---@field method? string  default "GET"
---@field headers? table<string, string>
---@field body? string
---@field timeout? number  seconds for the whole exchange (default 10; also ends with hook_timeout)

---@class ns.HTTPResponse
---@field ok boolean  status is 2xx
---@field status integer
---@field body string  at most 1 MiB
---@field headers table<string, string>  lower-case names
---@field truncated? boolean

--- One HTTP(S) request; nil and an error when no answer came.
---@param request ns.HTTPRequest
---@return ns.HTTPResponse|nil
---@return string? err
function ns.http(request) end

---@alias ns.Event "sweep"|"before_backup"|"after_job"|"after_backup"|"failure"|"before_sleep"|"stale"

---@class ns.NotifyOptions
---@field url? string
---@field to? string  mail recipient (ns.notify.mail)
---@field on? ns.Event|ns.Event[]  default { "failure", "stale" }
---@field sendmail? string  ns.notify.mail's program (default /usr/sbin/sendmail)
---@field api? string  ns.notify.healthchecks enrolment: the Healthchecks instance (https://healthchecks.io)
---@field api_key_file? string  the file (mode 0600) whose first line is the API key
---@field tags? string[]  tags of the enrolled checks

ns.notify = {}
--- Healthchecks pings: /start, success or /fail with the log tail, /fail when stale; with `api`,
--- enrols one check per job ("<site>/<job>") through the Management API and pings each.
---@param opts ns.NotifyOptions
function ns.notify.healthchecks(opts) end
--- ntfy messages on the events of `on`.
---@param opts ns.NotifyOptions
function ns.notify.ntfy(opts) end
--- A JSON POST on the events of `on`.
---@param opts ns.NotifyOptions
function ns.notify.webhook(opts) end
--- Mail through sendmail on the events of `on`.
---@param opts ns.NotifyOptions
function ns.notify.mail(opts) end

---@type nightshift
nightshift = ns
---@type nightshift
_G.ns = ns -- the module is also the global `ns`

return ns
