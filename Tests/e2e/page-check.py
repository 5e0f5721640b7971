#!/usr/bin/env python3
"""Loads a status page in headless Chromium, inside its own empty network namespace
(`unshare -n`: nothing the browser tries can leave the machine), and prints what the
tests check as one JSON object: the DESIGN v3 hooks with their states, what ran, what
the page asked the network for.

    page-check.py PAGE.html [--screenshot OUT.png --width 360] [--measure-width 360]

Requests Chromium makes for itself (update checks: initiator "not an origin") are told
apart from requests the page caused; only the latter count as the page's.
"""
import json
import os
import subprocess
import sys
import tempfile
from html import escape as html_escape
from html.parser import HTMLParser

CHROMIUM = os.environ.get("CHROMIUM", "chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--hide-scrollbars", "--mute-audio"]


def chromium(work, url, extra):
    """Runs Chromium in a private, empty network namespace; returns (stdout, netlog path)."""
    netlog = os.path.join(work, "net.json")
    argv = ["unshare", "-n", CHROMIUM] + FLAGS + ["--user-data-dir=" + os.path.join(work, "profile"),
                                                  "--log-net-log=" + netlog] + extra + [url]
    env = dict(os.environ, HOME=work)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=180, env=env)
    if r.returncode != 0 and not r.stdout:
        sys.exit("chromium failed (%d): %s" % (r.returncode, r.stderr[-2000:]))
    return r.stdout, netlog


def page_requests(netlog):
    """URLs the page itself asked for (not the browser's own background requests)."""
    try:
        text = open(netlog).read()
    except OSError:
        return ["(no net log)"]
    try:
        log = json.loads(text)
    except ValueError:
        # A browser ended before it closed the log: close the array and object ourselves.
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    start = log["constants"]["logEventTypes"].get("URL_REQUEST_START_JOB")
    out = []
    for e in log.get("events", []):
        p = e.get("params") or {}
        if e.get("type") == start and "url" in p and p.get("initiator") != "not an origin":
            out.append(p["url"])
    return out


class Dom(HTMLParser):
    """The facts of the dumped DOM."""

    def __init__(self):
        super().__init__()
        self.facts = {"jobs": {}, "hosts": {}, "nights": {}, "night_titles": {}, "tags": {}, "verdict": None,
                      "verdict_text": "", "body_attrs": {}, "meta_refresh": False, "text": "",
                      "th": 0, "h1": 0, "h2": 0, "viewport": False, "ids": [], "attrs_with_url": []}
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        f = self.facts
        f["tags"][tag] = f["tags"].get(tag, 0) + 1
        if tag == "body":
            f["body_attrs"] = a
        if "id" in a:
            f["ids"].append(a["id"])
        if a.get("id") == "verdict":
            f["verdict"] = a.get("data-state")
            self.stack.append("verdict")
        if "data-job" in a and tag == "tr":
            f["jobs"][a["data-job"]] = a.get("data-state")
        if "data-host" in a:
            f["hosts"][a["data-host"]] = a.get("data-state")
        if "data-day" in a:
            f["nights"][a["data-day"]] = a.get("data-result")
            f["night_titles"][a["data-day"]] = a.get("title", "")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            f["meta_refresh"] = True
        if tag == "meta" and a.get("name") == "viewport":
            f["viewport"] = True
        if tag == "th":
            f["th"] += 1
        if tag in ("h1", "h2"):
            f[tag] += 1
        for k, v in a.items():
            if k in ("src", "href", "action", "poster", "data") or (v or "").lower().find("url(") >= 0:
                f["attrs_with_url"].append("%s %s=%s" % (tag, k, v))

    def handle_endtag(self, tag):
        if tag == "p" and self.stack and self.stack[-1] == "verdict":
            self.stack.pop()

    def handle_data(self, data):
        self.facts["text"] += data
        if self.stack and self.stack[-1] == "verdict":
            self.facts["verdict_text"] += data


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    page = os.path.abspath(args[0])
    shot = args[args.index("--screenshot") + 1] if "--screenshot" in args else None
    width = args[args.index("--width") + 1] if "--width" in args else "1000"
    with tempfile.TemporaryDirectory(prefix="page-check-") as work:
        dom, netlog = chromium(work, "file://" + page, ["--dump-dom"])
        facts = Dom()
        facts.feed(dom)
        out = facts.facts
        out["requests"] = page_requests(netlog)
        out["dom_bytes"] = len(dom)
        if "--measure-width" in args:
            # Headless Chromium keeps its window at least 500 px wide, so the page is laid out
            # in a frame that narrow, inside a measuring copy (the page itself runs no script and
            # its policy forbids one): how wide the laid-out page is there.
            w = args[args.index("--measure-width") + 1]
            inner = open(page).read().replace('<meta http-equiv="Content-Security-Policy"', '<meta name="csp-removed"')
            probe = os.path.join(work, "measure.html")
            with open(probe, "w") as fh:
                fh.write('<!DOCTYPE html><html><body style="margin:0"><iframe id="f" style="width:%spx;height:900px;'
                         'border:0" srcdoc="%s"></iframe><script>window.onload = function () {'
                         'var d = document.getElementById("f").contentDocument;'
                         'document.body.setAttribute("data-scroll-width", String(d.documentElement.scrollWidth)); };'
                         '</script></body></html>' % (w, html_escape(inner, quote=True)))
            dom2, _ = chromium(work, "file://" + probe, ["--dump-dom"])
            m = Dom()
            m.feed(dom2)
            out["scroll_width"] = int(m.facts["body_attrs"].get("data-scroll-width", "-1"))
        if shot:
            _, _ = chromium(work, "file://" + page, ["--screenshot=" + os.path.abspath(shot),
                                                     "--window-size=%s,2400" % width])
            out["screenshot"] = os.path.exists(shot) and os.path.getsize(shot) > 0
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
