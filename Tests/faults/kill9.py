"""kill -9 at random instants of a fast loop that writes state and history every cycle."""

import os
import random
import signal
import time

from faultlib import Failed, expect, marked, tail, wait_for

KILLS = int(os.environ.get("FAULTS_KILLS", "200"))


def site_script(site):
    # No watched host is up, min_interval 0: every cycle backs up (state + history), then
    # "hibernates" through the power program; check_every 0.1 starts the next cycle at once.
    # The copy leaves a grandchild that only the family teardown (or, after a kill -9, the
    # next start's recovery) ends.
    site.lua(site.header(', min_interval = 0, check_every = 0.1, max_attempts = 1000000') + """
host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }
job "Copy" { source = "Nas", target = "B1", time_sync = "none",
  run = { "sh", "-c", "sleep 300 & exec @DIR@/record sleep 0.$(( $$ % 3 ))5" } }
""")


def cycles(site):
    return site.log().count("--- NightShift ")


def check_files(site, after):
    """What a kill -9 may never leave: a torn state.json or history line."""
    if os.path.exists(os.path.join(site.state_dir, "state.json")):
        try:
            site.state()
        except ValueError as e:
            raise Failed("after %s: state.json does not parse: %s" % (after, e))
    site.history()


def check_recovered(site, pid, started, previous):
    """After a start's recovery: no job `running` but by this instance, no process left of
    an earlier run. This instance may already be running the job: between its start and
    its process record the job has no owner yet, but a start after this instance's."""
    state = site.state() if os.path.exists(os.path.join(site.state_dir, "state.json")) else {}
    for name, job in state.get("jobs", {}).items():
        if job.get("result") == "running":
            owner = (job.get("process") or {}).get("owner_pid")
            ours = owner == pid or (owner is None and job.get("last_start", 0) >= started)
            expect(ours, "job %s is still `running` (owner %s, started %s, this instance at %s) after pid %d's recovery"
                   % (name, owner, job.get("last_start"), started, pid))
    left = {p: m for p, m in marked(site.marker + ".").items() if m in previous}
    expect(not left, "processes of killed runs outlived the next start's recovery: %s" % left)


def kill_nine_at_random_instants(site):
    site_script(site)
    rng = random.Random(os.environ.get("FAULTS_SEED", "13"))
    previous = set()
    early = late = 0
    for i in range(KILLS):
        run = "%s.%03d" % (site.marker, i)
        before = cycles(site)
        started = time.time()
        p = site.start("run", site.script, run_marker=run)
        if rng.random() < 0.25:
            # Startup: the lock, the state check, the recovery of the last kill.
            time.sleep(rng.uniform(0, 0.2))
            early += 1
        else:
            # The lock is free and the start recovers: its first cycle begins.
            started = wait_for(30, lambda: cycles(site) > before or p.poll() is not None)
            expect(started and p.poll() is None,
                   "run %d did not start a cycle (exit %s)%s" % (i, p.poll(), tail(site.console())))
            check_recovered(site, p.pid, started, previous)
            # A cycle (sweep, copy of 0.05-0.65 s, hibernate, 0.1 s countdown) lasts under a second.
            time.sleep(rng.uniform(0, 0.9))
            late += 1
        p.send_signal(signal.SIGKILL)
        p.wait()
        previous.add(run)
        check_files(site, "kill %d" % i)
    # Killed outright, the loop recorded nothing of its end: status says no daemon holds the state.
    code, out = site.run("status", "--state-dir", site.state_dir)
    if "Next check: " in out and "not scheduled" not in out:
        expect("but no nightshift holds the state directory" in out, "status after the last kill:%s" % tail(out))
    # The last word: a clean run recovers everything and leaves nothing behind.
    code, out = site.run("run", site.script, "--once", "--manual", timeout=60)
    expect(code == 0, "the run after %d kills exited %s%s" % (KILLS, code, tail(out)))
    check_files(site, "the final run")
    running = [n for n, j in site.state().get("jobs", {}).items() if j.get("result") == "running"]
    expect(not running, "jobs left running after the final run: %s" % running)
    expect(wait_for(GRACE_LEFT, lambda: not marked(site.marker + ".")),
           "processes left after the final run: %s" % marked(site.marker + "."))
    recovered = site.log().count("died; its copy")
    print("     %d kills (%d at startup, %d mid-cycle), %d cycles logged, %d copies recovered, %d history lines"
          % (KILLS, early, late, cycles(site), recovered, len(site.history())))


GRACE_LEFT = 3


def register(matrix):
    matrix.case("kill9")(kill_nine_at_random_instants)
