"""Hostile inventory values: quotes, `;`, `$(...)`, backticks, newlines, NUL, ESC and a
leading `-` in host names, users, addresses, paths and job arguments. Each one either
reaches the program as exactly one argument (the fake program records its argv) and is
logged escaped, or is refused by `nightshift check` with a message naming the value's
file:line - never run by a shell, never taken for an option."""

import os

from faultlib import expect, tail

# Each would do something if a shell saw it: the touches leave a file behind.
SHELLY = [
    "it's \"quoted\"",
    "a;touch @DIR@/pwned-semicolon",
    "$(touch @DIR@/pwned-dollar)",
    "`touch @DIR@/pwned-backtick`",
    "x|touch @DIR@/pwned-pipe",
    "x&&touch @DIR@/pwned-and",
    ">@DIR@/pwned-redirect",
    "*",
    "~root",
    "$HOME",
]
CONTROL = ["line1\nFAKE LINE injected", "esc\x1b[31mred\x1b[0m", "cr\rFAKE", "tab\there", "bell\x07"]
OPTIONS = ["-rf", "--help", "-oProxyCommand=touch @DIR@/pwned-ssh"]


def lua_str(s):
    """A Lua string literal holding exactly these bytes (every byte a decimal escape)."""
    return '"' + "".join("\\%03d" % b for b in s.encode()) + '"'


def fill(site, s):
    return s.replace("@DIR@", site.dir)


def pwned(site):
    return sorted(n for n in os.listdir(site.dir) if n.startswith("pwned"))


def log_is_safe(site, text):
    """Every line of the log is one line: no raw control byte, no injected line."""
    data = open(site.log_path, "rb").read()
    bad = sorted({b for b in data if (b < 32 and b not in (9, 10)) or b == 127})
    expect(not bad, "raw control bytes %s in the log" % bad)
    for line in data.decode(errors="replace").splitlines():
        expect(not line.startswith(("FAKE", "red")), "an injected log line: %r" % line)


def job_arguments_reach_the_program_exactly(site):
    values = [fill(site, v) for v in SHELLY + CONTROL + OPTIONS]
    argv = ", ".join(lua_str(v) for v in values)
    site.lua(site.header() + 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }\n' + """
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "job", %s } }
on("before_backup", function() ns.exec({ "@DIR@/record", "hook", %s }) end)
""" % (argv, argv))
    code, out = site.run("run", site.script, "--once", "--manual", "--debug")
    expect(code == 0, "the night exited %s%s" % (code, tail(out)))
    records = site.records()
    for kind in ("job", "hook"):
        got = [r[1:] for r in records if r and r[0] == kind]
        want = [v.encode().decode("latin-1") for v in values]
        expect(got == [want], "%s argv differs:\n got  %r\n want %r" % (kind, got, want))
    expect(not pwned(site), "a shell ran a value: %s" % pwned(site))
    log_is_safe(site, out)
    expect("\\n" in site.log() or "\\x0a" in site.log().lower() or "\\u{a}" in site.log(),
           "the newline inside an argument is not shown escaped in the (debug) log" + tail(site.log(), 30))


def action_templates_get_a_user_as_one_argument(site):
    # {user}, {name} and {ip} go into the switch-off argv; the user holds shell text.
    users = ["a;touch${IFS}@DIR@/pwned-semicolon", "$(touch${IFS}@DIR@/pwned-dollar)",
             "`touch${IFS}@DIR@/pwned-backtick`",
             "o'brien\"x", "x|y&&z>w", "*"]
    users = [fill(site, u) for u in users]
    body = ""
    for i, user in enumerate(users):
        n = 20 + i
        body += """
host "B%d" { ip = "10.200.0.%d", mac = "02:00:00:00:00:%02x", broadcast = "127.0.0.1", wol_port = @PORT@,
  wake_timeout = "20s", watch = false, user = %s,
  actions = { suspend = { "@DIR@/record", "suspend", "-l", "{user}", "{user}@{ip}", "{name}" } } }
job "J%d" { source = "Nas", target = "B%d", time_sync = "none", after = "suspend", run = { "@DIR@/record", "copy" } }
""" % (i, n, n, lua_str(user), i, i)
        site.nic.register("02:00:00:00:00:%02x" % n, "10.200.0.%d" % n)
    # The record program leaves the hosts on: a short off_timeout keeps the wait for them short.
    site.lua(site.header(', off_timeout = "1s"') + body)
    code, out = site.run("run", site.script, "--once", "--manual", timeout=90)
    expect(code == 0, "the night exited %s%s" % (code, tail(out, 30)))
    got = sorted(r[1:] for r in site.records() if r and r[0] == "suspend")
    want = sorted(["-l", u, "%s@10.200.0.%d" % (u, 20 + i), "B%d" % i] for i, u in enumerate(users))
    expect(got == want, "suspend argv differs:\n got  %r\n want %r" % (got, want))
    expect(not pwned(site), "a shell ran a value: %s" % pwned(site))
    log_is_safe(site, out)


def check_refuses(site, name, body, words):
    site.lua(site.header() + body)
    code, out = site.run("check", site.script)
    expect(code == 2, "%s: check exited %s (want 2)%s" % (name, code, tail(out)))
    expect("site.lua:" in out, "%s: the refusal names no file:line%s" % (name, tail(out)))
    for w in words:
        expect(w in out, "%s: the refusal does not say %r%s" % (name, w, tail(out)))
    bad = sorted({b for b in out.encode() if (b < 32 and b not in (9, 10)) or b == 127})
    expect(not bad, "%s: raw control bytes %s in check's message%s" % (name, bad, tail(out)))
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code == 2, "%s: run exited %s (want 2: refused before anything runs)" % (name, code))
    expect(not site.records(), "%s: something ran: %s" % (name, site.records()))


def check_refuses_hostile_values(site):
    job = 'job "J" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "copy" } }\n'
    cases = []
    for v in ["-oProxyCommand=x", "--help", "a b", "a\nb", "a\x1b[2Jb", "a\tb"]:
        cases.append(("user %r" % v, 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false, user = %s }\n' % lua_str(v) + job,
                      ["user"]))
    for v in ["B1;touch x", "$(id)", "`id`", "B\n1", "-B1", "B\x1b1", "B'1"]:
        cases.append(("host name %r" % v, 'host %s { ip = "127.0.0.2", watch = false }\n' % lua_str(v), ["host"]))
    for v in ["127.0.0.2;touch x", "$(id)", "-127.0.0.2", "127.0.0.2\n", "--help"]:
        cases.append(("ip %r" % v, 'host "B1" { ip = %s, watch = false }\n' % lua_str(v) + job, ["ip"]))
    for v in ["02:00:00:00:00:01;x", "-02:00:00:00:00:01"]:
        cases.append(("mac %r" % v, 'host "B1" { ip = "127.0.0.2", mac = %s, watch = false }\n' % lua_str(v) + job,
                      ["mac"]))
    cases.append(("NUL in a job argument",
                  'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }\n'
                  + 'job "J" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "a\\0b" } }\n',
                  ["NUL"]))
    cases.append(("NUL in a user", 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false, user = "a\\0b" }\n' + job, ["user"]))
    for name, body, words in cases:
        check_refuses(site, name, body, words)
    print("     %d hostile values refused with file:line" % len(cases))


def hostile_paths_are_just_names(site):
    # A log file and a state folder whose names hold shell text work as plain names.
    name = fill(site, "st;$(touch @DIR@/pwned-state)`x`'\" -rf")
    logname = fill(site, "log;$(touch @DIR@/pwned-log) -x.txt")
    os.makedirs(os.path.join(site.dir, "p"), exist_ok=True)
    site.lua(site.header(", state_dir = %s, log_file = %s" % (lua_str("p/" + name), lua_str("p/" + logname)))
             + 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }\n'
             + 'job "J" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "copy" } }\n')
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code == 0, "the night exited %s%s" % (code, tail(out)))
    expect(os.path.isfile(os.path.join(site.dir, "p", name, "state.json")), "no state.json in the hostile folder")
    expect(os.path.isfile(os.path.join(site.dir, "p", logname)), "no log at the hostile name")
    expect(not pwned(site), "a shell ran a path: %s" % pwned(site))
    code, out = site.run("status", "--state-dir", os.path.join(site.dir, "p", name))
    expect(code == 0, "status on the hostile folder exited %s%s" % (code, tail(out)))


def register(matrix):
    for fn in (job_arguments_reach_the_program_exactly, action_templates_get_a_user_as_one_argument,
               check_refuses_hostile_values, hostile_paths_are_just_names):
        matrix.case("hostile")(fn)
