"""State and clock faults: absurd values in state.json and history.jsonl (a count of
Int64.max, negative counts, huge epochs, NaN, process group 0), records written while the
clock was wrong (decades in the future), and time sources that answer 1900 (read as 2036
across the NTP era wrap), +50 years, +5 years, or 2000 (a dead RTC). Nothing traps or loops on a
crash, each bad value is named in a warning, a future record blocks nothing and silences
no staleness, and no plausible clock is stepped by more than max_clock_step."""

import json
import os
import socket
import struct
import threading
import time

from faultlib import Skip, expect, sh, tail

NTP_UNIX = 2208988800
YEAR = 365.25 * 86400

BODY = """
host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "copy" } }
"""


def write_state(site, state):
    os.makedirs(site.state_dir, exist_ok=True)
    with open(os.path.join(site.state_dir, "state.json"), "w") as f:
        f.write(state if isinstance(state, str) else json.dumps(state))


def not_by_a_signal(code, what, out):
    expect(code is not None and code >= 0, "%s died by signal %s%s" % (what, -code if code else "?", tail(out)))
    expect(code not in (132, 134, 139), "%s trapped (exit %s)%s" % (what, code, tail(out)))


def absurd_counts_are_reset_not_trapped(site):
    site.lua(site.header() + BODY)
    now = time.time()
    # The literal Int64.max: json.dumps would write it as is too, but be explicit.
    write_state(site, '{"version": 1, "night": {"failed_attempts": 9223372036854775807, "first_failed": %f},'
                      ' "jobs": {"Copy": {"last_start": 1e300, "max_age": -3,'
                      ' "process": {"owner_pid": 1, "owner_start_time": 1, "group": 1, "group_start_time": 1}}}}'
                % (now - 60))
    for i in range(2):  # twice: a crash loop would show at the second start
        code, out = site.run("run", site.script, "--once")
        not_by_a_signal(code, "run #%d" % (i + 1), out)
        expect(code == 0, "run #%d exited %s%s" % (i + 1, code, tail(out)))
    log = site.log()
    for field in ("night.failed_attempts", "jobs.Copy.last_start", "jobs.Copy.max_age", "jobs.Copy.process"):
        expect(field in log, "no warning naming %s%s" % (field, tail(log, 30)))
    night = site.state()["night"]
    expect(night.get("failed_attempts", 0) == 0, "failed_attempts not reset: %r" % night)
    expect(any(r == ["copy"] for r in site.records()), "the night did not run after the reset")
    code, out = site.run("status", "--state-dir", site.state_dir)
    not_by_a_signal(code, "status", out)


def nan_and_torn_values_never_crash(site):
    site.lua(site.header() + BODY)
    write_state(site, '{"version": 1, "night": {"failed_attempts": NaN, "window_used": Infinity}}')
    with open(os.path.join(site.state_dir, "history.jsonl"), "w") as f:
        f.write('{"type":"job","name":"Copy","start":1000,"end":1010,"result":"ok","bytes":9223372036854775807}\n')
        f.write('{"type":"job","name":"Copy","start":-1e300,"end":1010,"result":"ok","files":-1}\n')
        f.write('{"type":"job","name":"Copy","start":1000,"end":1010,"result":"ok","bytes":1e30}\n')
    code, out = site.run("run", site.script, "--once")
    not_by_a_signal(code, "run", out)
    expect(code == 0, "run exited %s%s" % (code, tail(out)))
    kept = [n for n in os.listdir(site.state_dir) if n.startswith("state.json.corrupt-")]
    expect(kept, "the NaN state was not kept aside as corrupt: %s" % os.listdir(site.state_dir))
    for args in (("status", "--state-dir", site.state_dir), ("history", "--state-dir", site.state_dir),
                 ("history", "--state-dir", site.state_dir, "--json")):
        code, out = site.run(*args)
        not_by_a_signal(code, " ".join(args[:1]), out)
        expect(code in (0, 1), "%s exited %s%s" % (args[0], code, tail(out)))


def future_records_block_nothing(site):
    # A force window open now; the state was written while the clock said 2076.
    lt = time.localtime(time.time() - 60)
    end = time.localtime(time.time() + 7200)
    window = "%02d:%02d-%02d:%02d" % (lt.tm_hour, lt.tm_min, end.tm_hour, end.tm_min)
    body = BODY.replace('watch = false', 'watch = true').replace('127.0.0.2', '127.0.0.9')
    site.lua(site.header(', force_window = "%s"' % window) + body)
    now = time.time()
    future = now + 50 * YEAR
    write_state(site, {"version": 1,
                       "night": {"window_used": future, "last_good_automatic": future, "failed_attempts": 3,
                                 "first_failed": future},
                       "jobs": {"Copy": {"last_good": future, "declared": now - 40 * 86400, "max_age": 129600,
                                         "result": "ok"}}})
    # status before any run: stale, exit 1, a non-negative age.
    code, out = site.run("status", "--state-dir", site.state_dir, "--json")
    expect(code == 1, "status exited %s with a last_good in 2076 (staleness silenced)%s" % (code, tail(out)))
    doc = json.loads(out[out.index("{"):])
    ages = [j.get("age") for j in doc.get("jobs", {}).values()] if isinstance(doc.get("jobs"), dict) else \
        [j.get("age") for j in doc.get("jobs", [])]
    expect(all(a is None or a >= 0 for a in ages), "a negative age: %r" % ages)
    # B1 (watched, on loopback) answers: only the force window can start the night, and 2076 must not block it.
    code, out = site.run("run", site.script, "--once")
    expect(code == 0, "run exited %s%s" % (code, tail(out)))
    log = site.log()
    expect("inside force window" in log, "the force window was blocked by a record in the future%s" % tail(log, 30))
    expect("night.window_used" in log and "in the future" in log, "no warning naming window_used%s" % tail(log, 30))
    expect(any(r == ["copy"] for r in site.records()), "the night did not run")


class SNTPStandIn(threading.Thread):
    """Answers SNTP on ADDRESS:123 as a clock that reads `reads(now)` (raw NTP seconds when
    `raw` is given): the time sources of the clock cases."""

    def __init__(self, address, reads=None, raw=None):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind((address, 123))
        except OSError as e:
            raise Skip("cannot bind %s:123: %s" % (address, e))
        self.sock.settimeout(0.1)
        self.reads, self.raw, self.stopped = reads, raw, False
        self.start()

    def stamp(self, t):
        if self.raw is not None:
            return struct.pack("!II", self.raw, 1 << 31)
        ntp = t + NTP_UNIX
        return struct.pack("!II", int(ntp) & 0xFFFFFFFF, int((ntp % 1) * (1 << 32)) & 0xFFFFFFFF)

    def run(self):
        while not self.stopped:
            try:
                data, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 48:
                continue
            t = self.reads(time.time()) if self.reads else time.time()
            reply = bytes([0 << 6 | 4 << 3 | 4, 2, 6, 0xEC]) + b"\0" * 8 + b"LOCL" + self.stamp(t - 1) \
                + data[40:48] + self.stamp(t) + self.stamp(t)
            self.sock.sendto(reply, peer)

    def stop(self):
        self.stopped = True
        self.sock.close()


def clock_site(site, source_ip, target_ip=None, target_is_source=True):
    """This machine (its clock set through a recording set_time action: the real clock is
    never touched) and a time source; a job from Nas to the source makes the night sync."""
    body = """
host "T" { ip = "%s", mac = "02:00:00:00:00:fd", watch = false, time_source = true,
  actions = { set_time = { "@DIR@/record", "set_time", "T", "{epoch}" } } }
job "Copy" { source = "Nas", target = "T", run = { "@DIR@/record", "copy" } }
""" % source_ip
    header = site.header().replace(
        'host "Nas" { actions = {',
        'host "Nas" { actions = { set_time = { "@DIR@/record", "set_time", "Nas", "{epoch}" },')
    site.lua(header + body)


def clock_answers_are_refused_or_bounded(site):
    cases = [("1900 (read as 2036)", dict(raw=0), "refused the time"),
             ("+50 years (as 1940 across the 2036 era wrap)", dict(reads=lambda t: t + 50 * YEAR), "refused the time"),
             ("+5 years", dict(reads=lambda t: t + 5 * YEAR), "exceeds max_clock_step"),
             ("2000 (a dead RTC as the source)", dict(reads=lambda t: 946684800.0), "refused the time")]
    for i, (name, answer, words) in enumerate(cases):
        ip = "127.0.3.%d" % (i + 1)
        clock_site(site, ip)
        server = SNTPStandIn(ip, **answer)
        try:
            before = len(site.log())
            code, out = site.run("run", site.script, "--once", "--manual")
        finally:
            server.stop()
        log = site.log()[before:]
        expect(code == 0, "%s: the night exited %s (a refused clock sync is a warning)%s" % (name, code, tail(out)))
        sets = [r for r in site.records() if r and r[0] == "set_time"]
        expect(not sets, "%s: a clock was set: %r%s" % (name, sets, tail(log, 20)))
        expect(words in log, "%s: the log does not say %r%s" % (name, words, tail(log, 20)))
        expect(any(r == ["copy"] for r in site.records()), "%s: the copy did not run" % name)


def a_dead_rtc_target_is_still_set(site):
    # Nas is the time source; T answers SNTP as year 2000 (a dead RTC): it must be set.
    ip = "127.0.3.9"
    body = """
host "T" { ip = "%s", mac = "02:00:00:00:00:fd", watch = false,
  actions = { set_time = { "@DIR@/record", "set_time", "T", "{epoch}" } } }
job "Copy" { source = "Nas", target = "T", run = { "@DIR@/record", "copy" } }
""" % ip
    site.lua(site.header().replace('host "Nas" {', 'host "Nas" { time_source = true,') + body)
    server = SNTPStandIn(ip, reads=lambda t: 946684800.0)
    try:
        code, out = site.run("run", site.script, "--once", "--manual")
    finally:
        server.stop()
    expect(code == 0, "the night exited %s%s" % (code, tail(out)))
    sets = [r for r in site.records() if r and r[0] == "set_time"]
    expect(len(sets) == 1 and sets[0][1] == "T", "the dead RTC was not set: %r%s" % (sets, tail(site.log(), 20)))
    expect(abs(int(sets[0][2]) - time.time()) < 120, "T was set to %s, not to now" % sets[0][2])


def register(matrix):
    for fn in (absurd_counts_are_reset_not_trapped, nan_and_torn_values_never_crash, future_records_block_nothing):
        matrix.case("state")(fn)
    for fn in (clock_answers_are_refused_or_bounded, a_dead_rtc_target_is_still_set):
        matrix.case("clock")(fn)
