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


def kill_nine_during_the_rewrite(site):
    site.lua(site.header(', history_keep = "%dd"' % KEEP_DAYS))
    now = time.time()
    old = old_history(now)
    cutoff = now - KEEP_DAYS * 86400
    young = [l for l in old if json.loads(l)["end"] >= cutoff]
    old_totals = totals(old)
    os.makedirs(site.state_dir, exist_ok=True)
    pristine = os.path.join(site.dir, "history.pristine")
    with open(pristine, "wb") as f:
        f.write(b"\n".join(old) + b"\n")
    # How long a whole start takes, so the kills spread over all of it.
    shutil.copy(pristine, os.path.join(site.state_dir, "history.jsonl"))
    began = time.monotonic()
    code, out = site.run("run", site.script, "--once", timeout=120)
    span = time.monotonic() - began
    expect(code == 0, "the measuring run exited %s%s" % (code, tail(out)))
    expect(which_file(whole_lines(site), old, young)[0] == "new", "history_keep dropped nothing")
    rng = random.Random(os.environ.get("FAULTS_SEED", "17"))
    seen = {"old": 0, "new": 0}
    for i in range(KILLS):
        shutil.rmtree(site.state_dir)
        os.makedirs(site.state_dir)
        shutil.copy(pristine, os.path.join(site.state_dir, "history.jsonl"))
        p = site.start("run", site.script, "--once")
        time.sleep(rng.uniform(0, span))
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
