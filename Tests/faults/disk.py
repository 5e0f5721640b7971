"""Disk faults: a full disk under the log and the state (a 64 KiB tmpfs in the matrix's
private mount namespace), a read-only state folder, a state.json that is a folder. The
night runs or refuses clearly (an exit code and a message naming the file), nothing
crashes (no death by a signal), and the next good run, the fault gone, recovers."""

import os
import subprocess

from faultlib import Failed, Skip, expect, sh, tail

BODY = """
host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = { "@DIR@/record", "copy" } }
"""


def mount_tmpfs(path, size="64k", options=""):
    os.makedirs(path, exist_ok=True)
    r = sh("mount -t tmpfs -o size=%s%s tmpfs '%s'" % (size, options, path))
    if r.returncode != 0:
        raise Skip("cannot mount a tmpfs in the private mount namespace: %s" % r.stderr.strip())


def fill_up(path):
    """Writes until ENOSPC; returns the filler's path."""
    filler = os.path.join(path, "filler")
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    try:
        with open(os.path.join(path, "filler2"), "wb", buffering=0) as f:
            while True:
                f.write(b"\0")
    except OSError:
        pass
    return filler


def not_crashed(code, out, what):
    expect(code is not None and 0 <= code < 128 and "Fatal error" not in out and "Illegal instruction" not in out
           and "Segmentation" not in out, "%s: nightshift crashed (exit %s)%s" % (what, code, tail(out, 20)))


def recovers(site, what):
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code == 0, "%s: the next good run exited %s%s" % (what, code, tail(out, 20)))
    state = site.state()
    expect(state["jobs"]["Copy"]["result"] == "ok", "%s: the next good run's job: %s" % (what, state["jobs"]["Copy"]))
    site.history()


def full_disk_before_the_night(site):
    disk = os.path.join(site.dir, "disk")
    mount_tmpfs(disk)
    try:
        site.lua(site.header(', state_dir = "@DIR@/disk/state", log_file = "@DIR@/disk/nightshift.log"') + BODY)
        site.state_dir = disk + "/state"
        site.log_path = disk + "/nightshift.log"
        code, out = site.run("run", site.script, "--once", "--manual")  # a first good night
        expect(code == 0, "the first night exited %s%s" % (code, tail(out)))
        fill_up(disk)
        code, out = site.run("run", site.script, "--once", "--manual")
        not_crashed(code, out, "full disk")
        # A night whose record could not be written fails visibly (it once exited 0).
        expect(code == 1, "full disk: exit %s (want 1: the night's record is lost)%s" % (code, tail(out, 20)))
        expect("The cycle fails:" in out, "nothing says the cycle failed for its record%s" % tail(out, 20))
        expect("No space left on device" in out and ("state.json" in out or "history.jsonl" in out),
               "the message names neither the full disk nor the file%s" % tail(out, 20))
        site.state()  # the old state survived whole
        site.history()
        os.remove(os.path.join(disk, "filler"))
        os.remove(os.path.join(disk, "filler2"))
        recovers(site, "full disk")
    finally:
        sh("umount -l '%s'" % disk)


def disk_fills_during_the_night(site):
    disk = os.path.join(site.dir, "disk")
    mount_tmpfs(disk, size="96k")
    try:
        # The copy's output (log = "file") fills the disk under the log and the state.
        site.lua(site.header(', state_dir = "@DIR@/disk/state", log_file = "@DIR@/disk/nightshift.log"') + """
host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }
job "Copy" { source = "Nas", target = "B1", time_sync = "none",
  run = { "sh", "-c", "test -e @DIR@/quiet || yes 'a line of the copy tool output' | head -c 400000" } }
""")
        site.state_dir = disk + "/state"
        site.log_path = disk + "/nightshift.log"
        code, out = site.run("run", site.script, "--once", "--manual")
        not_crashed(code, out, "disk filling up")
        expect("No space left on device" in out, "nothing says the disk is full%s" % tail(out, 20))
        if os.path.exists(site.state_dir + "/state.json"):
            site.state()
        site.history()
        os.remove(site.log_path)  # logrotate, or the admin, makes room
        open(os.path.join(site.dir, "quiet"), "w").close()
        recovers(site, "disk filled")
    finally:
        sh("umount -l '%s'" % disk)


def read_only_state_folder(site):
    site.lua(site.header() + BODY)
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code == 0, "the first night exited %s%s" % (code, tail(out)))
    r = sh("mount --bind '{0}' '{0}' && mount -o remount,bind,ro '{0}'".format(site.state_dir))
    if r.returncode != 0:
        raise Skip("cannot make a read-only bind mount: %s" % r.stderr.strip())
    try:
        code, out = site.run("run", site.script, "--once", "--manual")
        not_crashed(code, out, "read-only state folder")
        expect(code == 2, "a read-only state folder: exit %s (want 2, refused)%s" % (code, tail(out, 20)))
        expect("Read-only file system" in out and site.state_dir in out,
               "the refusal does not name the folder and the cause%s" % tail(out, 20))
        expect(sum(1 for r in site.records() if r == ["copy"]) == 1, "the copy ran without a state to record it in")
    finally:
        sh("umount '%s'" % site.state_dir)
    recovers(site, "read-only state folder")


def state_json_is_a_folder(site):
    site.lua(site.header() + BODY)
    os.makedirs(os.path.join(site.state_dir, "state.json"))
    code, out = site.run("run", site.script, "--once", "--manual")
    not_crashed(code, out, "state.json a folder")
    expect(code == 2, "state.json a folder: exit %s (want 2)%s" % (code, tail(out)))
    expect(os.path.join(site.state_dir, "state.json") in out, "the message does not name state.json%s" % tail(out))
    expect(not site.records(), "the copy ran: %s" % site.records())
    code, out = site.run("status", "--state-dir", site.state_dir)
    not_crashed(code, out, "status with state.json a folder")
    expect(code == 2 and "state.json" in out, "status: exit %s%s" % (code, tail(out)))
    os.rmdir(os.path.join(site.state_dir, "state.json"))
    recovers(site, "state.json a folder")


def log_file_is_a_folder(site):
    site.lua(site.header() + BODY)
    os.makedirs(site.log_path)
    code, out = site.run("run", site.script, "--once", "--manual")
    not_crashed(code, out, "the log a folder")
    expect(code == 2, "the log a folder: exit %s (want 2)%s" % (code, tail(out)))
    expect(site.log_path in out, "the message does not name the log file%s" % tail(out))
    os.rmdir(site.log_path)
    recovers(site, "the log a folder")


def register(matrix):
    for fn in (full_disk_before_the_night, disk_fills_during_the_night, read_only_state_folder,
               state_json_is_a_folder, log_file_is_a_folder):
        matrix.case("disk")(fn)
