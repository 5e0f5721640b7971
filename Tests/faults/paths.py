"""Symlinked folders: a share user (uid nobody) replaced a folder the program writes under
with a symlink to a folder of root's. The report, the state, the log and the metrics are
refused with a message naming the link, nothing is written where it points, and nothing
crashes."""

import os

from faultlib import Skip, expect, tail

NOBODY = 65534
BODY = """
host "B1" { ip = "127.0.0.2", mac = "02:00:00:00:00:fe", watch = false }
job "Copy" { source = "Nas", target = "B1", time_sync = "none", run = { "sh", "-c", "exit 3" } }
"""


def plant(site, name):
    """@DIR@/share (0777, the office share) holding `name`, a nobody-owned symlink to
    @DIR@/elsewhere (root's folder the link aims the writes at)."""
    share = os.path.join(site.dir, "share")
    elsewhere = os.path.join(site.dir, "elsewhere")
    os.makedirs(share, exist_ok=True)
    os.makedirs(elsewhere, exist_ok=True)
    os.chmod(site.dir, 0o755)
    os.chmod(share, 0o777)
    link = os.path.join(share, name)
    os.symlink(elsewhere, link)
    try:
        os.lchown(link, NOBODY, NOBODY)
    except OSError as e:
        raise Skip("cannot give the link to nobody: %s" % e)
    return link, elsewhere


def refused(site, out, link, elsewhere, what):
    text = site.log() + out
    expect("%s is a symbolic link" % link in text, "%s: no refusal naming %s%s" % (what, link, tail(text, 20)))
    expect(os.listdir(elsewhere) == [], "%s: written through the link: %s" % (what, os.listdir(elsewhere)))
    expect("Fatal error" not in out and "Illegal instruction" not in out, "%s: crashed%s" % (what, tail(out)))


def symlinked_report_folder(site):
    link, elsewhere = plant(site, "reports")
    site.lua(site.header() + BODY + 'on("failure", ns.report.copy_log("@DIR@/share/reports"))\n')
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code == 1, "the failing night exited %s%s" % (code, tail(out)))
    refused(site, out, link, elsewhere, "failure report")


def symlinked_state_folder(site):
    link, elsewhere = plant(site, "nas")
    site.lua(site.header(', state_dir = "@DIR@/share/nas/state"') + BODY)
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code not in (0, None) and code < 128, "a state folder under the link: exit %s%s" % (code, tail(out)))
    refused(site, out, link, elsewhere, "state folder")


def symlinked_log_folder(site):
    link, elsewhere = plant(site, "logs")
    site.lua(site.header(', log_file = "@DIR@/share/logs/nightshift.log"') + BODY)
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code not in (0, None) and code < 128, "a log under the link: exit %s%s" % (code, tail(out)))
    refused(site, out, link, elsewhere, "log folder")


def symlinked_metrics_folder(site):
    link, elsewhere = plant(site, "metrics")
    site.lua(site.header(', metrics = "@DIR@/share/metrics/nightshift.prom"') + BODY)
    code, out = site.run("run", site.script, "--once", "--manual")
    expect(code is not None and code < 128, "metrics under the link: exit %s%s" % (code, tail(out)))
    refused(site, out, link, elsewhere, "metrics")


def register(matrix):
    for case in (symlinked_report_folder, symlinked_state_folder, symlinked_log_folder, symlinked_metrics_folder):
        matrix.case("paths")(case)
