"""SIGTERM, SIGINT and SIGHUP in every phase of a night: the countdown, the sweep, the wait
for a woken host, the copy, a remote action (switching the target off), a hook, a run
function stuck in one C call (no hook reaches it) and one looping on a hostile value.

SIGTERM and SIGINT end nightshift within the grace period with 143 / 130, leave no
descendant and record `interrupted` (a night's phases: state and history; the countdown
between cycles: nothing was running, so only the log says so). SIGHUP is logrotate's
signal (README "Commands"): nightshift reopens its log at its path and the phase goes on.
"""

import os
import signal
import time

from faultlib import END_WITHIN, Failed, expect, marked, tail, wait_for

SILENT = "10.200.0.99"  # routed into lo and never added: a probe of it waits its whole timeout


def recorded(site, word):
    return lambda: any(word in argv for argv in site.records())


def logged(site, text):
    return lambda: text in site.log()


# Each phase: (script body after the header, extra settings, environment, how to tell it
# has begun, whether a night (state + history) is under way).
def phase_countdown(site):
    site.lua(site.header(", check_every = 60") + 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }\n')
    return [], {}, logged(site, "Next check in"), False


def phase_sweep(site):
    site.lua(site.header(", ping_timeout = 60, ping_retries = 0")
             + 'host "Work1" { ip = "%s" }\n' % SILENT)
    # The cycle header is logged just before the sweep starts; give it a moment to be in it.
    return [], {}, lambda: logged(site, "--- NightShift ")() and time.sleep(0.5) is None, True


def phase_wake_wait(site):
    site.lua(site.header() + site.sleeper("B1", 11) + """
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "copy" } }
""")
    site.nic.refuse.add("02:00:00:00:00:0b")  # the magic packet arrives; the machine never boots
    return ["--manual"], {}, lambda: "02:00:00:00:00:0b" in site.log().lower() and time.sleep(0.5) is None, True


def phase_copy(site):
    site.lua(site.header() + site.sleeper("B1", 12) + """
job "Copy" { source = "Nas", target = "B1", time_sync = "none", after = "suspend",
  run = { "sh", "-c", "sleep 300 & exec @DIR@/record sleep 300 copy" } }
""")
    return ["--manual"], {}, recorded(site, "copy"), True


def phase_remote_action(site):
    site.lua(site.header() + site.sleeper("B1", 13) + """
job "Copy" { source = "Nas", target = "B1", time_sync = "none", after = "suspend",
  run = { "@DIR@/record", "copy" } }
""")
    hang = os.path.join(site.dir, "hanging.suspend")
    return ["--manual"], {"FAULT_POWER_HANG": "suspend"}, lambda: os.path.exists(hang), True


def phase_hook(site):
    site.lua(site.header() + 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }\n' + """
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "copy" } }
on("before_backup", function() ns.exec { "@DIR@/record", "sleep", "300", "hook" } end)
""")
    return ["--manual"], {}, recorded(site, "hook"), True


def phase_c_call(site):
    # Hostile site code where no hook reaches: one backtracking pattern match (a single C
    # call). Only the watchdog outside Lua can end this run (docs/design.md, invariant 15).
    site.lua(site.header() + 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }\n' + """
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = function()
  ns.exec { "@DIR@/record", "stuck" }
  local f = io.open("@DIR@/in-c-call", "w") f:close()
  return ("a"):rep(60):find(("a*"):rep(60) .. "b") ~= nil
end }
""")
    # Begun once the file is there (the exec before it is over), and a moment later inside the match.
    there = os.path.join(site.dir, "in-c-call")
    return ["--manual"], {}, lambda: os.path.exists(there) and time.sleep(0.3) is None, True


def phase_hostile_value(site):
    # A table of 40 levels each holding the one below twice, passed to primitives in a loop:
    # every call is refused at once (invariant 16), so the stop comes as for any loop.
    site.lua(site.header() + 'host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }\n' + """
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = function()
  local t = { leaf = ("x"):rep(1024) }
  for _ = 1, 40 do t = { a = t, b = t } end
  ns.exec { "@DIR@/record", "hostile" }
  local f = io.open("@DIR@/in-loop", "w") f:close()
  while true do pcall(ns.exec, t) end
end }
""")
    there = os.path.join(site.dir, "in-loop")
    return ["--manual"], {}, lambda: os.path.exists(there) and time.sleep(0.3) is None, True


PHASES = [phase_countdown, phase_sweep, phase_wake_wait, phase_copy, phase_remote_action, phase_hook,
          phase_c_call, phase_hostile_value]


def start_in_phase(site, phase):
    args, env, begun, night = phase(site)
    p = site.start("run", site.script, *args, env=env)
    ok = wait_for(40, lambda: begun() or p.poll() is not None)
    expect(ok and p.poll() is None, "%s never began (exit %s)%s" % (phase.__name__, p.poll(), tail(site.log())))
    return p, night


def stop_case(phase, sig):
    def case(site):
        p, night = start_in_phase(site, phase)
        sent = time.monotonic()
        p.send_signal(sig)
        try:
            code = p.wait(END_WITHIN)
        except Exception:
            raise Failed("still running %.0fs after %s%s" % (END_WITHIN, sig.name, tail(site.log())))
        took = time.monotonic() - sent
        expect(code == 128 + sig, "exit %s after %s (want %d)%s" % (code, sig.name, 128 + sig, tail(site.log())))
        left = marked(site.marker)
        expect(not left, "descendants left after %s: %s" % (sig.name, left))
        expect("Interrupted by %s" % sig.name in site.log(), "the log does not say it was interrupted" + tail(site.log()))
        if night:
            state = site.state()
            cycle = state.get("last_cycle", {})
            expect(cycle.get("reason") == "interrupted by %s" % sig.name,
                   "state.json's last_cycle does not say interrupted: %s" % cycle)
            for name, job in state.get("jobs", {}).items():
                expect(job.get("result") != "running", "job %s still `running` in state.json" % name)
            last = [r for r in site.history() if r.get("type") == "cycle"][-1:]
            expect(last and last[0].get("result") == "interrupted", "history's last cycle: %s" % last)
        else:
            # Between cycles: the check the countdown announced will not come.
            cycle = site.state().get("last_cycle", {})
            expect("next_check" not in cycle and cycle.get("stopped_by") == "interrupted by %s" % sig.name,
                   "state.json's last_cycle still announces a check: %s" % cycle)
            code, out = site.run("status", "--state-dir", site.state_dir)
            expect("Next check: none, nightshift was stopped at" in out, "status after the stop:%s" % tail(out))
        expect(site.lock_is_free(), "the instance lock is still held after the exit")
        print("     %s ended in %.2fs" % (sig.name, took))
    case.__name__ = "%s_during_%s" % (sig.name.lower(), phase.__name__[6:])
    return case


def hangup_case(phase):
    def case(site):
        p, _ = start_in_phase(site, phase)
        children = set(marked(site.marker))
        os.rename(site.log_path, site.log_path + ".1")
        p.send_signal(signal.SIGHUP)
        # The new file at the log's path appears (reopened), and the phase goes on.
        expect(wait_for(10, lambda: os.path.exists(site.log_path) or p.poll() is not None) and p.poll() is None,
               "no log reopened at its path after SIGHUP (exit %s)" % p.poll())
        time.sleep(0.5)
        expect(p.poll() is None, "SIGHUP ended nightshift (exit %s)" % p.poll())
        gone = children - set(marked(site.marker))
        expect(not gone or phase is phase_countdown, "SIGHUP ended children %s" % sorted(gone))
        p.send_signal(signal.SIGTERM)
        code = p.wait(END_WITHIN)
        expect(code == 143, "exit %s after SIGHUP then SIGTERM" % code)
        old = open(site.log_path + ".1", errors="replace").read()
        expect("Interrupted" not in old, "SIGHUP interrupted the night" + tail(old))
        expect("Interrupted by SIGTERM" in site.log(), "later lines did not go to the reopened log" + tail(site.log()))
        expect(not marked(site.marker), "descendants left: %s" % marked(site.marker))
    case.__name__ = "sighup_during_%s" % phase.__name__[6:]
    return case


def register(matrix):
    for phase in PHASES:
        for sig in (signal.SIGTERM, signal.SIGINT):
            matrix.case("signals")(stop_case(phase, sig))
        matrix.case("signals")(hangup_case(phase))
