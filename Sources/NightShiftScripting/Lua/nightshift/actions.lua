-- nightshift.actions: ready argv templates for remote actions. Placeholders {ip},
-- {user}, {name}, {epoch}, {offset} are filled per element by ns.template, never by a shell.
local ns, core = ...
local hints = core.require "nightshift.hints"
local actions = {}
ns.actions = actions

local SSH_OPTIONS = { "key", "port", "connect_timeout", "options" }

-- Checks linux_ssh/windows_ssh options at the site script's line (level: the helper's caller).
local function ssh_options(fname, o)
  if o == nil then return {} end
  if type(o) ~= "table" then error(string.format("bad argument #1 to '%s' (table expected, got %s)", fname, type(o)), 3) end
  hints.options(fname, o, SSH_OPTIONS, 3)
  local function bad(field, why) error(string.format("bad argument #1 to '%s' (field '%s' %s)", fname, field, why), 4) end
  if o.key ~= nil and (type(o.key) ~= "string" or o.key == "") then bad("key", "must be the path of an ssh identity file") end
  if o.port ~= nil and not core.check.port(o.port) then bad("port", "must be a port number 1-65535, got " .. tostring(o.port)) end
  if o.connect_timeout ~= nil and (math.type(o.connect_timeout) ~= "integer" or o.connect_timeout < 1) then
    bad("connect_timeout", "must be a whole number of seconds >= 1, got " .. tostring(o.connect_timeout))
  end
  if o.options ~= nil then
    if type(o.options) ~= "table" then bad("options", "must be a list of ssh -o options like \"StrictHostKeyChecking=yes\"") end
    for i, v in ipairs(o.options) do
      if type(v) ~= "string" or not v:find("=", 1, true) then
        bad("options", string.format("item %d must be an ssh -o option like \"Option=value\", got %s", i, type(v) == "string" and ("\"" .. v .. "\"") or type(v)))
      end
    end
  end
  return o
end

-- `extra`: -o options of one action, after the site's own (ssh takes the first value given).
local function ssh_prefix(o, extra)
  local argv = { "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=" .. tostring(o.connect_timeout or 10) }
  if o.key then argv[#argv + 1] = "-i"; argv[#argv + 1] = o.key end
  if o.port then argv[#argv + 1] = "-p"; argv[#argv + 1] = tostring(o.port) end
  for _, opt in ipairs(o.options or {}) do argv[#argv + 1] = "-o"; argv[#argv + 1] = opt end
  for _, opt in ipairs(extra or {}) do argv[#argv + 1] = "-o"; argv[#argv + 1] = opt end
  -- The user is the value of -l, so it is never read as an option (check also refuses user
  -- names starting with '-'). `--` ends the options: ssh would otherwise parse a word starting
  -- with '-' after the host as another option (it allows `ssh host -p 22`).
  argv[#argv + 1] = "-l"; argv[#argv + 1] = "{user}"
  argv[#argv + 1] = "--"
  argv[#argv + 1] = "{ip}"
  return argv
end

local function with(prefix, ...)
  local out = {}
  for _, v in ipairs(prefix) do out[#out + 1] = v end
  for _, v in ipairs({ ... }) do out[#out + 1] = v end
  return out
end

--- Linux machines over ssh: systemctl power states, `date -s @{epoch_frac}`, `date +%s.%N`, `who` for in_use.
-- opts: key (identity file), port, connect_timeout, options (extra `-o` options).
function actions.linux_ssh(opts)
  local p = ssh_prefix(ssh_options("linux_ssh", opts))
  return {
    shutdown = with(p, "systemctl", "poweroff"),
    suspend = with(p, "systemctl", "suspend"),
    hibernate = with(p, "systemctl", "hibernate"),
    set_time = with(p, "date", "-s", "@{epoch_frac}"),
    -- For hosts that serve no SNTP: the clock is read over ssh and the round trip halved.
    get_time = with(p, "date", "+%s.%N"),
    in_use = with(p, "test -n \"$(who)\""),
  }
end

--- Windows clients with the OpenSSH server (its default shell cmd.exe): shutdown.exe, PowerShell
-- SetSuspendState and Set-Date, `query user`.
-- opts: as for linux_ssh.
function actions.windows_ssh(opts)
  opts = ssh_options("windows_ssh", opts)
  local p = ssh_prefix(opts)
  -- SetSuspendState returns only after the PC woke again, and a sleeping PC closes no
  -- connection: without keep-alives ssh would wait out the action's whole timeout. With
  -- them it gives up after about 15 s, and the night judges by the PC going quiet.
  local sleeping = ssh_prefix(opts, { "ServerAliveInterval=5", "ServerAliveCountMax=3" })
  return {
    shutdown = with(p, "shutdown", "/s", "/f", "/t", "0"),
    hibernate = with(p, "shutdown", "/h", "/f"),
    -- .NET's SetSuspendState(state, force, disableWakeEvent): sleep with wake events left on,
    -- so a magic packet wakes the PC again (force has had no effect since Windows Vista). Not through rundll32,
    -- which calls powrprof's SetSuspendState with its own (window, instance, text, show) and
    -- never passes "0,1,0": the window handle is read as "hibernate" and the text's address as
    -- "disable wake events". The script is one double-quoted word like set_time's: false is
    -- written [bool]0 and the state by its enum name, because a $ or a quote would be expanded
    -- or ended by PowerShell when it is the OpenSSH DefaultShell.
    suspend = with(sleeping, "powershell", "-NoProfile", "-NonInteractive", "-Command",
      "\"Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Application]::SetSuspendState("
        .. "[System.Windows.Forms.PowerState]::Suspend, [bool]0, [bool]0)\""),
    -- ssh sends the remote command as one string, which cmd.exe (or PowerShell) parses: each
    -- -Command script is one double-quoted word holding no $, quote or cmd.exe metacharacter,
    -- and its only value is {offset} (a sign, digits and a dot, made by NightShift, never taken
    -- from the inventory). Adjusting by the measured offset, not setting an absolute time,
    -- because an absolute time ages while ssh connects and PowerShell starts (1-3 s). The `d`
    -- suffix makes the offset a decimal literal, so the milliseconds are exact.
    set_time = with(p, "powershell", "-NoProfile", "-NonInteractive", "-Command",
      "\"Set-Date -Adjust ([TimeSpan]::FromMilliseconds([long]({offset}d*1000)))\""),
    -- Windows serves no SNTP (w32time's server is off): the clock is read here. A decimal
    -- division and the invariant culture: a double or a German locale would print "1796154792,25".
    get_time = with(p, "powershell", "-NoProfile", "-NonInteractive", "-Command",
      "\"[decimal]::Divide([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds(),1000).ToString([Globalization.CultureInfo]::InvariantCulture)\""),
    -- quser exits 0 when it lists a session (console or remote desktop, also a locked or
    -- disconnected one) and 1 when it prints "No User exists for *": NightShift's in_use
    -- contract as it is. A missing query.exe (Windows Home) exits 9009 under cmd.exe, which
    -- ssh reports as 49: unknown, so the PC stays on.
    in_use = with(p, "query", "user"),
  }
end

--- Windows clients from a Linux NAS with Samba's `net rpc` (no agent on the client): shutdown only.
-- opts.credentials: an smbclient authentication file (`-A`; username/password/domain lines),
-- required: the password never appears in argv, and `net` never waits for one at night.
-- opts.message: shown on the PC's screen (default "NightShift backup finished").
function actions.windows_rpc(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(string.format("bad argument #1 to 'windows_rpc' (table expected, got %s)", type(opts)), 2)
  end
  opts = opts or {}
  hints.options("windows_rpc", opts, { "credentials", "message" }, 2)
  if type(opts.credentials) ~= "string" or opts.credentials == "" then
    error("bad argument #1 to 'windows_rpc' (field 'credentials' must name an authentication file, "
      .. "e.g. \"/etc/nightshift/smb.cred\": a password is never put on the command line)", 2)
  end
  if opts.message ~= nil and type(opts.message) ~= "string" then
    error("bad argument #1 to 'windows_rpc' (field 'message' must be a string)", 2)
  end
  -- `--option=value` forms keep each value glued to its option: a value starting with '-'
  -- can never be read as another option (the address is {ip}, checked by the inventory).
  local message = (opts.message or "NightShift backup finished"):gsub("[{}]", { ["{"] = "{{", ["}"] = "}}" })
  local credentials = opts.credentials:gsub("[{}]", { ["{"] = "{{", ["}"] = "}}" })
  return {
    -- Samba's remote shutdown (initshutdown, else winreg's InitiateSystemShutdown): -f closes
    -- programs without asking. One second, not 0: net reads a timeout of 0 as "none given"
    -- and asks for its default 20 s countdown. There is no remote hibernate, suspend, clock
    -- setting or "is somebody logged in" over this protocol.
    shutdown = { "net", "rpc", "shutdown", "-f", "--timeout=1", "--comment=" .. message,
      "--ipaddress={ip}", "--authentication-file=" .. credentials },
  }
end

return actions
