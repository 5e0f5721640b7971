"""A job's descendant that escapes every way a process can: `env -i` drops the run id,
`setsid -f` leaves the session and its parent exits before any scan. It must be gone when
the job ends, when the job times out and when nightshift is SIGTERMed - with a cgroup of
the job's own (made inside the case's own cgroup namespace) and with the subreaper
fallback (no cgroup2 mounted where nightshift runs). The log says which one was in force."""

import os
import signal
import time

from faultlib import END_WITHIN, Failed, Skip, expect, tail, wait_for

NEXT = [4400]


def sleepers(n):
    """Live `sleep N` processes (exact argv), found without the marker: `env -i` drops it."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                argv = f.read().split(b"\0")[:-1]
            with open("/proc/%s/stat" % name) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if argv == [b"sleep", str(n).encode()] and state != "Z":
            found.append(int(name))
    return found


def cgroup2_mounts():
    """(mount point, root) of every cgroup2 mount here."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.startswith("cgroup2 "):
                fields = left.split()
                out.append((fields[4], fields[3]))
    return out


def own_cgroup_dir():
    """Our cgroup's folder in a cgroup2 mount whose root is the hierarchy's, or None."""
    with open("/proc/self/cgroup") as f:
        own = next((l.strip()[3:] for l in f if l.startswith("0::")), None)
    for point, root in cgroup2_mounts():
        if own is not None and root == "/":
            return point.rstrip("/") + (own if own != "/" else "")
    return None


def with_cgroup(site):
    """A wrapper that runs nightshift in its own cgroup namespace, rooted at a fresh cgroup
    of this case, with a private cgroup2 mount: the job cgroups are made in there."""
    parent = own_cgroup_dir()
    if parent is None or not os.access(parent, os.W_OK):
        raise Skip("no writable cgroup v2 here to make the case's own subtree in")
    mine = os.path.join(parent, "nightshift-fault-%d-%d" % (os.getpid(), NEXT[0]))
    os.mkdir(mine)
    site.cleanups = getattr(site, "cleanups", []) + [mine]
    mnt = os.path.join(site.dir, "cgroup")
    os.makedirs(mnt, exist_ok=True)

    def enter():
        with open(os.path.join(mine, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    wrapper = ["unshare", "-C", "-m", "--propagation", "private", "sh", "-c",
               'mount -t cgroup2 none "$0" && exec "$@"', mnt]
    return wrapper, enter, "its processes run in the cgroup"


def without_cgroup(site):
    """A wrapper that unmounts every cgroup2 in a private mount namespace: the fallback."""
    umounts = "; ".join("umount -l '%s'" % p for p, _ in cgroup2_mounts()) or "true"
    wrapper = ["unshare", "-m", "--propagation", "private", "sh", "-c", umounts + '; exec "$@"', "sh"]
    return wrapper, None, "tracked through /proc with nightshift as their subreaper"


def script(site, n, extra_job="", tail_cmd=""):
    site.lua(site.header() + """
host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }
job "Copy" { source = "Nas", target = "B1", time_sync = "none"%s,
  run = { "sh", "-c", "env -i X=1 setsid -f sleep %d; %s" } }
""" % (extra_job, n, tail_cmd or "exit 0"))


def finish(site, n, containment, what):
    expect(wait_for(5, lambda: not sleepers(n)), "%s: the escaped `sleep %d` outlived the job: %s%s"
           % (what, n, sleepers(n), tail(site.log())))
    expect(containment in site.log(), "%s: the log does not say `%s`%s" % (what, containment, tail(site.log())))
    for mine in getattr(site, "cleanups", []):
        for entry in os.listdir(mine):
            if entry.startswith("nightshift-job-"):
                raise Failed("%s: the job's cgroup %s/%s was left behind" % (what, mine, entry))


def cleanup(site, n):
    for pid in sleepers(n):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for mine in getattr(site, "cleanups", []):
        wait_for(3, lambda: _removed(mine))


def _removed(folder):
    """Removes an empty cgroup folder (busy until its last process is gone)."""
    try:
        os.rmdir(folder)
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def ends_with_the_job(make):
    def case(site):
        NEXT[0] += 1
        n = NEXT[0]
        wrapper, preexec, containment = make(site)
        try:
            script(site, n)
            code, out = site.run("run", site.script, "--once", "--manual", wrapper=wrapper, preexec=preexec)
            expect(code == 0, "the night exited %s%s" % (code, tail(out, 20)))
            finish(site, n, containment, "job end")
        finally:
            cleanup(site, n)
    case.__name__ = "escape_%s_job_end" % make.__name__
    return case


def ends_with_the_timeout(make):
    def case(site):
        NEXT[0] += 1
        n = NEXT[0]
        wrapper, preexec, containment = make(site)
        try:
            script(site, n, extra_job=', timeout = "2s"', tail_cmd="exec sleep 60")
            code, out = site.run("run", site.script, "--once", "--manual", wrapper=wrapper, preexec=preexec)
            expect(code == 1, "the timed-out night exited %s%s" % (code, tail(out, 20)))
            finish(site, n, containment, "timeout")
        finally:
            cleanup(site, n)
    case.__name__ = "escape_%s_timeout" % make.__name__
    return case


def ends_with_sigterm(make):
    def case(site):
        NEXT[0] += 1
        n = NEXT[0]
        wrapper, preexec, containment = make(site)
        try:
            script(site, n, tail_cmd="exec sleep 60")
            p = site.start("run", site.script, "--once", "--manual", wrapper=wrapper, preexec=preexec)
            expect(wait_for(30, lambda: sleepers(n) or p.poll() is not None) and p.poll() is None,
                   "the escaping sleep never ran (exit %s)%s" % (p.poll(), tail(site.log())))
            # The wrapper execs nightshift: the signal reaches it, not a shell.
            p.send_signal(signal.SIGTERM)
            code = p.wait(END_WITHIN)
            expect(code == 143, "exit %s after SIGTERM%s" % (code, tail(site.log())))
            finish(site, n, containment, "SIGTERM")
        finally:
            cleanup(site, n)
    case.__name__ = "escape_%s_sigterm" % make.__name__
    return case


def register(matrix):
    for make in (with_cgroup, without_cgroup):
        for kind in (ends_with_the_job, ends_with_the_timeout, ends_with_sigterm):
            matrix.case("process")(kind(make))
