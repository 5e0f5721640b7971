-- nightshift.actions: ready argv templates for remote actions. Placeholders {ip},
-- {user}, {name}, {epoch} are filled per element by ns.template, never by a shell.
local ns, core = ...
local actions = {}
ns.actions = actions

local function ssh_prefix(o)
  local argv = { "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=" .. tostring(o.connect_timeout or 10) }
  if o.key then argv[#argv + 1] = "-i"; argv[#argv + 1] = o.key end
  if o.port then argv[#argv + 1] = "-p"; argv[#argv + 1] = tostring(o.port) end
  for _, opt in ipairs(o.options or {}) do argv[#argv + 1] = "-o"; argv[#argv + 1] = opt end
  -- User and address as separate arguments after -l: an inventory value can never be
  -- read as an ssh option (check also refuses user names starting with '-').
  argv[#argv + 1] = "-l"; argv[#argv + 1] = "{user}"
  argv[#argv + 1] = "{ip}"
  return argv
end

local function with(prefix, ...)
  local out = {}
  for _, v in ipairs(prefix) do out[#out + 1] = v end
  for _, v in ipairs({ ... }) do out[#out + 1] = v end
  return out
end

--- Linux machines over ssh: systemctl power states, `date -s @{epoch_frac}`, `who` for in_use.
-- opts: key (identity file), port, connect_timeout, options (extra `-o` options).
function actions.linux_ssh(opts)
  local p = ssh_prefix(opts or {})
  return {
    shutdown = with(p, "systemctl", "poweroff"),
    suspend = with(p, "systemctl", "suspend"),
    hibernate = with(p, "systemctl", "hibernate"),
    set_time = with(p, "date", "-s", "@{epoch_frac}"),
    in_use = with(p, "test -n \"$(who)\""),
  }
end

--- Windows clients with the OpenSSH server: shutdown.exe, powrprof, PowerShell Set-Date, `query user`.
function actions.windows_ssh(opts)
  local p = ssh_prefix(opts or {})
  return {
    shutdown = with(p, "shutdown", "/s", "/f", "/t", "0"),
    hibernate = with(p, "shutdown", "/h"),
    suspend = with(p, "rundll32.exe", "powrprof.dll,SetSuspendState", "0,1,0"),
    set_time = with(p, "powershell", "-NoProfile", "-Command",
      "Set-Date -Date ([DateTimeOffset]::FromUnixTimeSeconds({epoch})).LocalDateTime"),
    in_use = with(p, "query", "user"),
  }
end

--- Windows clients from a Linux NAS with Samba's `net rpc` (no agent on the client).
-- opts.credentials: an smbclient authentication file (`-A`), so no password is in argv.
function actions.windows_rpc(opts)
  opts = opts or {}
  local auth = opts.credentials and { "-A", opts.credentials } or { "-U", "{user}" }
  local function net(...)
    local argv = { "net", "rpc" }
    for _, v in ipairs({ ... }) do argv[#argv + 1] = v end
    argv[#argv + 1] = "-I"; argv[#argv + 1] = "{ip}"
    for _, v in ipairs(auth) do argv[#argv + 1] = v end
    return argv
  end
  return {
    shutdown = net("shutdown", "-f", "-t", "0", "-C", "NightShift backup finished"),
  }
end

return actions
