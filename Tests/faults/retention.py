"""kill -9 at random instants of a start whose cycle drops old history records
(history_keep): the history is always the old file or the new one, whole, and the
counters in state.json neither lose nor double-count a record."""

import json
import os
import random
import shutil
import signal
import time

from faultlib import Failed, expect, tail

KILLS = int(os.environ.get("FAULTS_RETENTION_KILLS", "30"))
KEEP_DAYS = 30


def old_history(now):
    """Three years of hourly cycles and a nightly job, oldest first, as history.jsonl lines;
    none within two days of the limit, so the records kept do not depend on when a run
    looks."""
    lines = []
    t = now - 3 * 365 * 86400
    cutoff = now - KEEP_DAYS * 86400
    while t < now - 7200:
        if abs(t - cutoff) < 2 * 86400:
            t += 3600
            continue
        lines.append(json.dumps({"type": "cycle", "start": t, "end": t + 2, "ran": False, "reason": "nobody",
                                 "result": "skipped", "manual": False, "dry_run": False}, sort_keys=True))
        if int(t) // 3600 % 24 == 3:
            lines.append(json.dumps({"type": "job", "name": "Copy", "start": t + 2, "end": t + 60,
                                     "result": "ok" if int(t) % 7 else "failed"}, sort_keys=True))
        t += 3600
    return [l.encode() for l in lines]


def totals(lines):
    cycles = runs = failures = 0
    for l in lines:
        r = json.loads(l)
        if r["type"] == "cycle":
            cycles += 1
        else:
            runs += 1
            failures += r["result"] in ("failed", "interrupted")
    return cycles, runs, failures


def whole_lines(site):
    path = os.path.join(site.state_dir, "history.jsonl")
    with open(path, "rb") as f:
        data = f.read()
    expect(data.endswith(b"\n"), "history.jsonl does not end with a newline: %r" % data[-120:])
    lines = data.split(b"\n")[:-1]
    for i, line in enumerate(lines):
        try:
            json.loads(line)
        except ValueError:
            raise Failed("history.jsonl line %d is not whole JSON: %r" % (i + 1, line[:200]))
    return lines


def which_file(lines, old, young):
    """'old' or 'new' when `lines` is that file plus cycle records appended after it."""
    for name, base in (("old", old), ("new", young)):
        if lines[:len(base)] == base and all(json.loads(l)["type"] == "cycle" for l in lines[len(base):]):
            return name, lines[len(base):]
    raise Failed("history.jsonl is neither the old file nor the rewritten one (%d lines; old %d, kept %d)"
                 % (len(lines), len(old), len(young)))


def reset(site, pristine, counted):
    """The counted history again; the copy is another file (inode), which the counters are
    told, so the start does not count it afresh."""
    shutil.rmtree(site.state_dir, ignore_errors=True)
    os.makedirs(site.state_dir, mode=0o700)
    history = os.path.join(site.state_dir, "history.jsonl")
    shutil.copy(pristine, history)
    with open(counted) as f:
        state = json.load(f)
    info = os.stat(history)
    state["history"]["file"] = [info.st_dev, info.st_ino]
    with open(os.path.join(site.state_dir, "state.json"), "w") as f:
        json.dump(state, f)
    os.chmod(os.path.join(site.state_dir, "state.json"), 0o600)


def kill_nine_during_the_rewrite(site):
    now = time.time()
    old = old_history(now)
    cutoff = now - KEEP_DAYS * 86400
    young = [l for l in old if json.loads(l)["end"] >= cutoff]
    os.makedirs(site.state_dir, exist_ok=True)
    pristine = os.path.join(site.dir, "history.pristine")
    with open(pristine, "wb") as f:
        f.write(b"\n".join(old) + b"\n")
    # The history counted once already (the upgrade's read is not what this case is about)
    # and retention due: a start then spends its time in the rewrite, where the kills land.
    site.lua(site.header(', history_keep = "3650d"'))
    shutil.copy(pristine, os.path.join(site.state_dir, "history.jsonl"))
    code, out = site.run("run", site.script, "--once", timeout=300)
    expect(code == 0, "the counting run exited %s%s" % (code, tail(out)))
    state = site.state()
    state["history"].pop("pruned", None)
    counted = os.path.join(site.dir, "state.counted")
    with open(counted, "w") as f:
        json.dump(state, f)
    with open(os.path.join(site.state_dir, "history.jsonl"), "rb") as f:
        old = f.read().split(b"\n")[:-1]  # the pristine lines and the counting run's cycle
    old_totals = (state["history"]["cycles"], state["history"]["jobs"]["Copy"]["runs"],
                  state["history"]["jobs"]["Copy"]["failures"])
    expect(old_totals == totals(old), "the counting run's counters %s, a scan %s" % (old_totals, totals(old)))
    young = [l for l in old if json.loads(l)["end"] >= cutoff]
    with open(pristine, "wb") as f:
        f.write(b"\n".join(old) + b"\n")
    site.lua(site.header(', history_keep = "%dd"' % KEEP_DAYS))
    # How long a whole start takes, so the kills spread over all of it.
    reset(site, pristine, counted)
    began = time.monotonic()
    code, out = site.run("run", site.script, "--once", timeout=300)
    span = time.monotonic() - began
    expect(code == 0, "the measuring run exited %s%s" % (code, tail(out)))
    expect(which_file(whole_lines(site), old, young)[0] == "new", "history_keep dropped nothing")
    rng = random.Random(os.environ.get("FAULTS_SEED", "17"))
    seen = {"old": 0, "new": 0}
    for i in range(KILLS):
        reset(site, pristine, counted)
        p = site.start("run", site.script, "--once")
        # Most of a start is the load and the cycle; the rewrite is its last part.
        time.sleep(rng.uniform(0, span) if i % 3 == 0 else rng.uniform(0.6 * span, 1.05 * span))
        p.send_signal(signal.SIGKILL)
        p.wait()
        seen[which_file(whole_lines(site), old, young)[0]] += 1
        # The next start recovers: its counters count every record exactly once.
        code, out = site.run("run", site.script, "--once", timeout=120)
        expect(code == 0, "the run after kill %d exited %s%s" % (i, code, tail(out)))
        kind, appended = which_file(whole_lines(site), old, young)
        expect(kind == "new", "after kill %d the next run left the old history" % i)
        counters = site.state().get("history") or {}
        cycles, runs, failures = old_totals
        got = (counters.get("cycles"), (counters.get("jobs") or {}).get("Copy", {}).get("runs"),
               (counters.get("jobs") or {}).get("Copy", {}).get("failures"))
        expect(got == (cycles + len(appended), runs, failures),
               "after kill %d: counters %s, expected %s" % (i, got, (cycles + len(appended), runs, failures)))
        leftovers = [n for n in os.listdir(site.state_dir) if ".tmp-" in n and "history" in n]
        expect(not leftovers, "after kill %d the recovery left %s" % (i, leftovers))
    print("     %d kills over a %.2f s start: %d left the old file, %d the new; %d lines -> %d"
          % (KILLS, span, seen["old"], seen["new"], len(old), len(young)))


def register(matrix):
    matrix.case("retention")(kill_nine_during_the_rewrite)
