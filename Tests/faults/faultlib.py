"""The fault matrix's fixture: a site in a throw-away folder, fake hosts, fake programs,
nightshift started as a child, and the checks every fault ends with.

Runs inside the private network and mount namespace that Tests/faults/run makes
(`unshare -n -m`): "up" hosts are loopback addresses; "down" hosts are 10.200.0.x
addresses routed into `lo` and so silently dropped until the fake NIC sees their magic
packet and adds the address (the same trick as CycleFixture in the Swift tests).
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("NIGHTSHIFT_BIN") or os.path.join(REPO, ".build", "release", "nightshift")
# nightshift's own grace period for a child's group (ProcessTeardown.grace) plus slack
# for two busy cores.
GRACE = 5.0
END_WITHIN = GRACE + 4.0


class Skip(Exception):
    """A test that cannot run here (says why)."""


class Failed(Exception):
    """A check failed (the message says which and what was seen)."""


def wait_for(seconds, condition, step=0.02):
    """Polls `condition` until it holds or `seconds` pass; returns its last value."""
    end = time.monotonic() + seconds
    while True:
        v = condition()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True)


def proc_environ(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            return f.read()
    except OSError:
        return b""


def is_zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] == "Z"
    except (OSError, ValueError, IndexError):
        return True


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def marked(marker):
    """Live (non-zombie) processes whose environment carries FAULT_MARKER=marker...
    (a prefix match): {pid: the marker's full value}."""
    needle = ("FAULT_MARKER=" + marker).encode()
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        pid = int(name)
        for e in proc_environ(pid).split(b"\0"):
            if e.startswith(needle) and not is_zombie(pid):
                found[pid] = e.split(b"=", 1)[1].decode(errors="replace")
    return found


class FakeNIC(threading.Thread):
    """Wake-on-LAN in software: a UDP socket on loopback reads magic packets and "boots"
    the machine by adding its address to `lo` after `boot_delay` seconds."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.machines = {}
        self.boot_delay = 0.3
        self.refuse = set()
        self.added = set()
        self.start()

    def register(self, mac, ip):
        self.machines[mac.lower()] = ip

    def run(self):
        while True:
            try:
                data = self.sock.recv(512)
            except OSError:
                return
            if len(data) < 102 or data[:6] != b"\xff" * 6:
                continue
            mac = ":".join("%02x" % b for b in data[6:12])
            ip = self.machines.get(mac)
            if ip and mac not in self.refuse:
                threading.Timer(self.boot_delay, self.boot, (ip,)).start()

    def boot(self, ip):
        self.added.add(ip)
        sh("ip addr add %s/32 dev lo 2>/dev/null" % ip)

    def switch_off(self, ip):
        sh("ip addr del %s/32 dev lo 2>/dev/null" % ip)

    def close(self):
        self.sock.close()
        for ip in self.added:
            self.switch_off(ip)


class Site:
    """A throw-away site folder: the script, its state and log, the fake programs."""

    def __init__(self, name, nic):
        self.name = name
        self.nic = nic
        self.dir = tempfile.mkdtemp(prefix="nightshift-fault-%s." % name)
        self.state_dir = os.path.join(self.dir, "state")
        self.log_path = os.path.join(self.dir, "nightshift.log")
        self.script = os.path.join(self.dir, "site.lua")
        self.marker = "%s-%d-%d" % (name, os.getpid(), random.randrange(1 << 30))
        self.procs = []
        self.write("record", RECORD_PROGRAM, mode=0o755)
        self.write("power", POWER_PROGRAM, mode=0o755)

    def write(self, rel, text, mode=0o644):
        path = os.path.join(self.dir, rel)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def lua(self, text):
        """The site script; `@DIR@` stands for the site folder, `@PORT@` for the fake NIC."""
        self.write("site.lua", text.replace("@DIR@", self.dir).replace("@PORT@", str(self.nic.port)))

    def sleeper(self, name, n, extra="", watch=False):
        """A host that is down until woken: 10.200.0.n, MAC 02:00:00:00:00:n."""
        mac = "02:00:00:00:00:%02x" % n
        self.nic.register(mac, "10.200.0.%d" % n)
        return """
host "%s" { ip = "10.200.0.%d", mac = "%s", broadcast = "127.0.0.1", wol_port = @PORT@,
  wake_timeout = "20s", watch = %s,
  actions = { shutdown = { "@DIR@/power", "shutdown", "{name}", "{ip}" },
              suspend = { "@DIR@/power", "suspend", "{name}", "{ip}" } }%s }
""" % (name, n, mac, "true" if watch else "false", extra)

    def header(self, extra=""):
        """Settings and this machine's host entry: it "hibernates" through the power program."""
        return """
settings { self = "Nas", self_sleep = "hibernate", off_timeout = "5s", ping_timeout = 0.3,
           check_every = 3600, busy = {}, rtc = "@DIR@/wakealarm"%s }
host "Nas" { actions = { hibernate = { "@DIR@/power", "hibernate", "{name}" } } }
""" % extra

    # -- running nightshift --------------------------------------------------------------

    def start(self, *args, run_marker=None, env=None, wrapper=(), preexec=None):
        """Starts `nightshift ARGS...` with the site's marker in its environment (so its
        descendants can be found); output appends to console.txt. `wrapper` is an argv put
        before the binary (unshare ...), `preexec` runs in the child before the exec."""
        if not os.access(BIN, os.X_OK):
            raise Skip("no nightshift binary at %s (swift build -c release)" % BIN)
        e = dict(os.environ)
        e["FAULT_MARKER"] = run_marker or self.marker
        e["FAULT_DIR"] = self.dir
        e.pop("INVOCATION_ID", None)  # never the journal: the console goes to a file
        e.pop("JOURNAL_STREAM", None)
        e.update(env or {})
        out = open(os.path.join(self.dir, "console.txt"), "ab")
        p = subprocess.Popen(list(wrapper) + [BIN] + list(args), stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=e, cwd=self.dir, preexec_fn=preexec)
        out.close()
        self.procs.append(p)
        return p

    def run(self, *args, timeout=60, env=None, wrapper=(), preexec=None):
        """Runs nightshift to its end; returns (exit code, console output of this run)."""
        before = len(self.console())
        p = self.start(*args, env=env, wrapper=wrapper, preexec=preexec)
        try:
            code = p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise Failed("nightshift %s did not end within %ss" % (" ".join(args), timeout))
        return code, self.console()[before:]

    def console(self):
        try:
            with open(os.path.join(self.dir, "console.txt"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def state(self):
        with open(os.path.join(self.state_dir, "state.json")) as f:
            return json.load(f)

    def history(self):
        """Every line of history.jsonl parsed; a torn or bad line raises Failed."""
        path = os.path.join(self.state_dir, "history.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            raise Failed("history.jsonl does not end with a newline: %r" % data[-120:])
        out = []
        for i, line in enumerate(data.split(b"\n")[:-1]):
            try:
                out.append(json.loads(line))
            except ValueError:
                raise Failed("history.jsonl line %d is not whole JSON: %r" % (i + 1, line[:200]))
        return out

    def records(self):
        """What the fake programs were called with: a list of argv lists."""
        try:
            with open(os.path.join(self.dir, "argv.jsonl")) as f:
                return [json.loads(l) for l in f if l.strip()]
        except OSError:
            return []

    def lock_is_free(self):
        """True when nobody holds the instance lock of the state folder (flock, as nightshift takes it)."""
        import fcntl
        path = os.path.join(self.state_dir, "nightshift.lock")
        if not os.path.exists(path):
            return True
        with open(path) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
            fcntl.flock(f, fcntl.LOCK_UN)
            return True

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for pid in marked(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if os.environ.get("FAULTS_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


# A fake program that records its argv exactly (one JSON line, bytes as latin-1 so
# nothing is lost) and, for "record sleep S", then sleeps.
RECORD_PROGRAM = """#!/usr/bin/python3
import json, os, sys, time
argv = [os.fsencode(a).decode("latin-1") for a in sys.argv[1:]]
with open(os.path.join(os.environ["FAULT_DIR"], "argv.jsonl"), "a") as f:
    f.write(json.dumps(argv) + "\\n")
if len(argv) >= 2 and argv[0] == "sleep":
    time.sleep(float(argv[1]))
"""

# The hosts' power: records the action; a switch-off takes the address away; "hang"
# in FAULT_POWER_HANG makes that action hang (a remote action that never returns).
POWER_PROGRAM = """#!/bin/sh
echo "$1 $2" >> "$FAULT_DIR/actions.log"
case " $FAULT_POWER_HANG " in *" $1 "*) touch "$FAULT_DIR/hanging.$1"; exec sleep 300 ;; esac
case "$1" in shutdown|suspend|hibernate) [ -n "$3" ] && ip addr del "$3/32" dev lo 2>/dev/null ;; esac
exit 0
"""


class Matrix:
    """Runs the registered cases, prints one line each and the closing count."""

    def __init__(self):
        self.cases = []
        self.passed = self.failed = self.skipped = 0
        self.nic = None

    def case(self, group):
        def add(fn):
            self.cases.append((group, fn))
            return fn
        return add

    def switch_everything_off(self):
        """Takes every woken test host's address off lo, so no case starts with one up."""
        for line in sh("ip -4 -o addr show dev lo").stdout.splitlines():
            f = line.split()
            if len(f) > 3 and f[3].startswith("10.200.0."):
                sh("ip addr del %s dev lo" % f[3])

    def run(self, selected):
        sh("ip link set lo up")
        # A switched-off machine is silent, not "no route" (that would be unknown, invariant 8).
        sh("ip route replace 10.200.0.0/24 dev lo")
        self.nic = FakeNIC()
        for group, fn in self.cases:
            name = "%s.%s" % (group, fn.__name__)
            if selected and not any(s in name for s in selected):
                continue
            site = Site(fn.__name__[:24], self.nic)
            start = time.monotonic()
            try:
                fn(site)
                self.passed += 1
                print("ok   %s (%.1fs)" % (name, time.monotonic() - start), flush=True)
            except Skip as e:
                self.skipped += 1
                print("SKIP %s: %s" % (name, e), flush=True)
            except Failed as e:
                self.failed += 1
                print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - start, e), flush=True)
                print("     site: %s" % site.dir, flush=True)
                os.environ["FAULTS_KEEP_THIS"] = "1"
            except Exception as e:  # a bug in the test itself: still a failure, never a pass
                self.failed += 1
                print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
            finally:
                keep = os.environ.pop("FAULTS_KEEP_THIS", None)
                if keep:
                    os.environ["FAULTS_KEEP"] = "1"
                site.close()
                self.switch_everything_off()
                if keep:
                    os.environ.pop("FAULTS_KEEP", None)
        self.nic.close()
        self.switch_everything_off()
        print("%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped))
        return 0 if self.failed == 0 else 1


def expect(cond, message):
    if not cond:
        raise Failed(message)


def tail(text, n=12):
    return "\n       | " + "\n       | ".join(text.rstrip().splitlines()[-n:])
