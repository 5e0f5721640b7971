#!/usr/bin/env python3
"""NightShift lab: a simulated office machine, plus the lab's small tools.

One agent runs per machine, inside that machine's own network namespace
(started by scripts/lab/lab via `unshare -n`). It behaves like the machine's
power supply and NIC:

  off / suspended / hibernated
      the NIC has no IPv4 address: nothing answers ARP, ICMP or TCP (an
      unanswered ARP means ping and TCP probes fail exactly as with a machine
      that is switched off). An AF_PACKET socket sees every frame on the wire,
      like a NIC with Wake-on-LAN armed: a magic packet (6 x FF + 16 x its MAC,
      plus the SecureOn password when one is configured) boots the machine
      after its boot delay.
  booting
      the boot delay is running.
  on
      sshd (Debian's openssh-server, lab key only) runs, the address is up
      (ping answers), an SNTP server on UDP 123 serves the simulated clock.

Commands reaching the agent through ssh (`systemctl poweroff`, `date -s`,
`who`, `in-use`) are small wrappers in scripts/lab/bin that talk to it over a
unix socket (LAB_DIR/machines/NAME/ctl.sock). Every power transition is
appended to LAB_DIR/events.log as

  EPOCH HH:MM:SS.mmm NAME TAG free text

Sub-commands (python3 agent.py SUB ...):
  run        the agent itself (used by scripts/lab/lab)
  ctl        talk to an agent: ctl --lab DIR NAME OP [ARGS]
  nas        the NAS's own simulated power/clock (no agent): nas --lab DIR OP
  date       the `date` wrapper with the machine's simulated clock
  windows-shell  a Windows machine's ssh commands (shutdown.exe, query user, Set-Date, ...)
  sntp       a small SNTP client: sntp HOST [--port P] -> offset in seconds
  wol        send a magic packet: wol MAC --via SRC [--broadcast B]
  gen-data   make a tree of real files: gen-data DIR --files N --kb K --seed S
  reap       kill every process in the given network namespaces
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

NTP_EPOCH_DELTA = 2208988800  # 1900-01-01 -> 1970-01-01


# ---------------------------------------------------------------- helpers

def event(labdir, name, tag, text=""):
    """Append one line to LAB_DIR/events.log (one write, O_APPEND)."""
    t = time.time()
    stamp = time.strftime("%H:%M:%S", time.localtime(t)) + ".%03d" % int((t % 1) * 1000)
    line = "%.3f %s %s %s %s\n" % (t, stamp, name, tag, text)
    fd = os.open(os.path.join(labdir, "events.log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    return t


def write_atomic(path, text):
    tmp = "%s.tmp.%d.%d" % (path, os.getpid(), threading.get_ident())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def read_offset(mdir):
    try:
        with open(os.path.join(mdir, "clock_offset")) as f:
            return float(f.read().strip() or 0)
    except FileNotFoundError:
        return 0.0


def parse_mac(text):
    hexs = "".join(c for c in text if c in "0123456789abcdefABCDEF")
    if len(hexs) != 12:
        raise ValueError("bad MAC %r" % text)
    return bytes.fromhex(hexs)


def parse_ssh_delay(text):
    """Seconds (>= 0) from answering to sshd running, or None for "never"."""
    if str(text) == "never":
        return None
    v = float(text)
    if v < 0:
        raise ValueError("ssh delay must be >= 0 seconds or never, not %r" % text)
    return v


def parse_password(text):
    if not text:
        return b""
    if "." in text:  # dotted 4-byte form
        return bytes(int(x) for x in text.split("."))
    return parse_mac(text) if len(text.replace(":", "").replace("-", "")) == 12 else bytes.fromhex(text)


def netns_inode(pid="self"):
    return os.readlink("/proc/%s/ns/net" % pid)


def pids_in_netns(inode, exclude=()):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        if pid in exclude:
            continue
        try:
            if os.readlink("/proc/%d/ns/net" % pid) == inode:
                out.append(pid)
        except OSError:
            pass
    return out


def kill_netns(inode, exclude=(), grace=0.0):
    """Kill every process whose network namespace is `inode` (a power cut)."""
    pids = pids_in_netns(inode, exclude)
    if grace > 0 and pids:
        for p in pids:
            try:
                os.kill(p, signal.SIGTERM)
            except OSError:
                pass
        end = time.time() + grace
        while time.time() < end and pids_in_netns(inode, exclude):
            time.sleep(0.05)
    for _ in range(50):
        pids = pids_in_netns(inode, exclude)
        if not pids:
            return 0
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)
    return len(pids_in_netns(inode, exclude))


# ------------------------------------------------------------------ agent

class Agent:
    def __init__(self, a):
        self.name = a.name
        self.labdir = a.lab
        self.home = os.path.dirname(os.path.abspath(__file__))
        self.mdir = os.path.join(a.lab, "machines", a.name)
        self.mac = parse_mac(a.mac)
        self.secureon = parse_password(a.secureon)
        self.iface = a.iface
        self.ip = a.ip  # with prefix, e.g. 10.66.1.100/24
        self.boot_delay = float(a.boot_delay)
        # Seconds between answering (ARP, ping, TCP) and sshd accepting connections after a
        # boot; None: sshd never starts. Windows' OpenSSH service starts well after the NIC.
        self.ssh_delay = parse_ssh_delay(a.ssh_delay)
        self.off_delay = float(a.off_delay)
        self.parent = a.parent
        self.state = "off"  # off | booting | on
        self.power = "off"  # off | suspended | hibernated | on  (how it went down)
        self.in_use = False
        self.session = ("officeuser", "Active")  # who `query user` lists while in_use, and its STATE
        self.refuse_wake = False
        self.wake_disabled = False  # put to sleep with wake events off: no magic packet wakes it
        self.smb = False  # file sharing on: bin/win-smbd runs while the machine is on
        self.smb_proc = None
        self.netloss = False
        # Windows' NIC answers ARP for its sleeping PC (NDIS ARP offload): suspended, the
        # machine keeps its address and drops every IPv4 packet; only the "NIC" answers ARP.
        self.arp_offload = getattr(a, "arp_offload", False)
        self.firewall = getattr(a, "firewall", False)
        self.nmbd = None
        self.clock_offset = read_offset(self.mdir)
        self.generation = 0
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.sshd = None
        self.myns = netns_inode()
        self.wakes = 0
        self.sntp_answers = 0

    # --- bookkeeping
    def ev(self, tag, text=""):
        return event(self.labdir, self.name, tag, text)

    def save(self):
        write_atomic(os.path.join(self.mdir, "status.json"), json.dumps(self.status(), sort_keys=True) + "\n")
        write_atomic(os.path.join(self.mdir, "clock_offset"), "%.6f\n" % self.clock_offset)

    def status(self):
        return {
            "name": self.name, "state": self.state, "power": self.power,
            "in_use": self.in_use, "session": list(self.session), "refuse_wake": self.refuse_wake,
            "wake_disabled": self.wake_disabled,
            "boot_delay": self.boot_delay, "clock_offset": self.clock_offset,
            "ssh_delay": "never" if self.ssh_delay is None else self.ssh_delay,
            "netloss": self.netloss, "ip": self.ip, "mac": self.mac.hex(":"),
            "wakes": self.wakes, "sntp_answers": self.sntp_answers,
        }

    def ip_cmd(self, *args):
        r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
        if r.returncode != 0 and "File exists" not in r.stderr and "Cannot assign" not in r.stderr:
            self.ev("LAB-ERROR", "ip %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.returncode == 0

    # --- power
    def power_on(self, reason, delay=None):
        with self.lock:
            if self.state != "off":
                return False
            self.state = "booting"
            self.generation += 1
            gen = self.generation
            d = self.boot_delay if delay is None else delay
            # A machine found on at the lab's start has been up for a while, and one resuming from
            # sleep or hibernation had its sshd running when it went down: only a boot from off waits.
            ssh_delay = 0 if reason == "lab-start" or self.power in ("suspended", "hibernated") else self.ssh_delay
            self.ev("BOOTING", "reason=%s delay=%gs (was %s)" % (reason, d, self.power))
            self.save()
        threading.Timer(d, self._boot_done, args=(gen, ssh_delay)).start()
        return True

    def _boot_done(self, gen, ssh_delay=0):
        with self.lock:
            if self.generation != gen or self.state != "booting":
                return
            if ssh_delay == 0:
                self._start_sshd()
            self.nft_offload(False)
            self.ip_cmd("addr", "add", self.ip, "dev", self.iface)
            # Windows answers NetBIOS name queries when on; the firewalled PC must (its only
            # sign of life above ARP), the others do when Samba is installed.
            if self.firewall or (self.arp_offload and os.path.exists("/usr/sbin/nmbd")):
                self._start_nmbd()
            self.state = "on"
            self.power = "on"
            if ssh_delay == 0:
                self.ev("ANSWERING", "ip=%s (ping, ssh and sntp up)" % self.ip.split("/")[0])
            elif ssh_delay is None:
                self.ev("ANSWERING", "ip=%s (ping and sntp up; ssh never starts: ssh-delay never)" % self.ip.split("/")[0])
            else:
                self.ev("ANSWERING", "ip=%s (ping and sntp up; ssh in %gs)" % (self.ip.split("/")[0], ssh_delay))
                threading.Timer(ssh_delay, self._late_sshd, args=(gen, ssh_delay)).start()
            self.save()

    def _late_sshd(self, gen, ssh_delay):
        with self.lock:
            if self.generation != gen or self.state != "on":
                return
            self._start_sshd()
            self.ev("SSH-UP", "sshd accepts connections %gs after the address came up" % ssh_delay)

    def _start_sshd(self):
        cfg = os.path.join(self.mdir, "sshd_config")
        log = os.path.join(self.mdir, "sshd.log")
        self.sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", cfg, "-E", log],
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        end = time.time() + 5
        while time.time() < end:
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", 22))
                s.close()
                return
            except OSError:
                s.close()
                if self.sshd.poll() is not None:
                    break
                time.sleep(0.02)
        self.ev("LAB-ERROR", "sshd did not start (see %s)" % log)

    def _start_nmbd(self):
        """Samba's nmbd answers NetBIOS name queries (UDP 137) while the machine is on, as
        Windows does with network discovery on; it dies with everything else at power-off."""
        d = os.path.join(self.mdir, "nmbd")
        for sub in ("lock", "state", "cache", "pid", "private", "log"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        conf = os.path.join(d, "smb.conf")
        with open(conf, "w") as f:
            f.write("[global]\n  netbios name = %s\n  workgroup = OFFICE\n  interfaces = %s\n"
                    "  bind interfaces only = yes\n  local master = no\n" % (self.name.upper(), self.ip))
            for key, sub in (("lock directory", "lock"), ("state directory", "state"), ("cache directory", "cache"),
                             ("pid directory", "pid"), ("private dir", "private")):
                f.write("  %s = %s\n" % (key, os.path.join(d, sub)))
            f.write("  log file = %s\n" % os.path.join(d, "log", "nmbd.log"))
        try:
            self.nmbd = subprocess.Popen(["/usr/sbin/nmbd", "-F", "--no-process-group", "-s", conf,
                                          "-l", os.path.join(d, "log")],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            self.ev("LAB-ERROR", "nmbd: %s (apt-get install samba)" % e)

    def nft_offload(self, asleep):
        """Suspended with ARP offload: every IPv4 packet in or out is dropped (ARP is not IPv4)."""
        if not self.arp_offload:
            return
        if asleep:
            rules = ["add table ip lab_asleep",
                     "add chain ip lab_asleep in { type filter hook input priority -10; policy drop; }",
                     "add chain ip lab_asleep out { type filter hook output priority -10; policy drop; }",
                     'add rule ip lab_asleep in iifname "lo" accept',
                     'add rule ip lab_asleep out oifname "lo" accept']
        else:
            rules = ["delete table ip lab_asleep"]
        for rule in rules:
            r = subprocess.run(["nft", rule], capture_output=True, text=True)
            if r.returncode != 0 and asleep:
                self.ev("LAB-ERROR", "nft %s: %s" % (rule, r.stderr.strip()))

    def power_off(self, kind, reason):
        """Cut the power: everything running on the machine dies, the NIC goes dark (or, asleep
        with ARP offload, keeps answering ARP for its address and nothing else)."""
        with self.lock:
            self.generation += 1
            was = self.state
            offload = self.arp_offload and kind == "suspended"
            if offload:
                self.nft_offload(True)
            else:
                self.ip_cmd("addr", "flush", "dev", self.iface, "scope", "global")
            left = kill_netns(self.myns, exclude={os.getpid()})
            self.sshd = None
            self.nmbd = None
            self.state = "off"
            self.power = kind
            self.ev("OFF", "state=%s reason=%s (was %s)%s%s" % (
                kind, reason, was, " LEFTOVER-PROCESSES=%d" % left if left else "",
                " ARP-OFFLOAD (answers ARP only)" if offload else ""))
            self.save()

    def request_power(self, kind, via, wake_events=True):
        """systemctl poweroff/suspend/hibernate: returns at once, goes dark shortly after.
        wake_events=False: like Windows put to sleep with wake events disabled, a magic packet
        no longer wakes it (only the power button does)."""
        with self.lock:
            if self.state != "on":
                return {"ok": False, "error": "machine is %s" % self.state}
            gen = self.generation
            self.ev("POWER-REQUEST", "%s via %s%s%s" % (kind, via, " WHILE-IN-USE" if self.in_use else "",
                                                       "" if wake_events else " WAKE-EVENTS-DISABLED"))
        state = {"poweroff": "off", "suspend": "suspended", "hibernate": "hibernated"}[kind]

        def later():
            with self.lock:
                if self.generation == gen and self.state == "on":
                    self.wake_disabled = not wake_events
                    self.power_off(state, "%s via %s" % (kind, via))
        threading.Timer(self.off_delay, later).start()
        return {"ok": True}

    def set_netloss(self, lost, seconds=None):
        with self.lock:
            self.netloss = lost
            self.ip_cmd("link", "set", self.iface, "down" if lost else "up")
            self.ev("NETLOSS" if lost else "NETBACK", "link %s%s" % (
                "down" if lost else "up", " for %gs" % seconds if seconds else ""))
            self.save()
        if lost and seconds:
            threading.Timer(seconds, lambda: self.set_netloss(False)).start()

    # --- threads
    def wol_loop(self):
        ETH_P_ALL = 3
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((self.iface, 0))
        s.settimeout(0.5)
        pattern = b"\xff" * 6 + self.mac * 16
        while not self.stop.is_set():
            try:
                frame, addr = s.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                if self.stop.is_set():
                    return
                time.sleep(0.1)
                continue
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            i = frame.find(pattern)
            if i < 0:
                continue
            pw = frame[i + len(pattern): i + len(pattern) + len(self.secureon)]
            src, dst, port = "?", "?", "?"
            if frame[12:14] == b"\x08\x00" and len(frame) >= 34:
                src = socket.inet_ntoa(frame[26:30])
                dst = socket.inet_ntoa(frame[30:34])
                ihl = (frame[14] & 0x0F) * 4
                if frame[23] == 17 and len(frame) >= 14 + ihl + 4:
                    port = str(struct.unpack("!H", frame[14 + ihl + 2:14 + ihl + 4])[0])
            elif frame[12:14] == b"\x08\x42":
                src, dst, port = frame[6:12].hex(":"), frame[0:6].hex(":"), "ethertype-0842"
            where = "from=%s to=%s port=%s" % (src, dst, port)
            with self.lock:
                if self.secureon and pw != self.secureon:
                    self.ev("WAKE-IGNORED", "magic packet with wrong SecureOn password %s" % where)
                elif self.refuse_wake:
                    self.ev("WAKE-IGNORED", "magic packet, refuse-wake is set %s" % where)
                elif self.wake_disabled and self.state == "off":
                    self.ev("WAKE-IGNORED", "magic packet, wake events were disabled when it went to sleep %s" % where)
                elif self.state != "off":
                    self.ev("WAKE-IGNORED", "magic packet while %s %s" % (self.state, where))
                else:
                    self.wakes += 1
                    self.ev("WAKE", "magic packet %s" % where)
                    self.power_on("magic-packet")

    def sntp_loop(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 123))
        s.settimeout(0.5)
        while not self.stop.is_set():
            try:
                data, addr = s.recvfrom(1024)
            except socket.timeout:
                continue
            recv = time.time() + self.clock_offset
            if len(data) < 48 or self.state != "on":
                continue
            li_vn_mode = data[0]
            vn = (li_vn_mode >> 3) & 7
            mode = li_vn_mode & 7
            if mode != 3:  # client requests only
                continue
            poll = data[2]
            originate = data[40:48]  # client's transmit timestamp, echoed
            ref = recv - 16
            xmt = time.time() + self.clock_offset
            pkt = struct.pack("!BBbb", (0 << 6) | ((vn or 4) << 3) | 4, 2, poll, -20)
            pkt += struct.pack("!II", 0x00000100, 0x00000200)  # root delay / dispersion (small)
            pkt += b"LAB\x00"  # reference id
            pkt += ntp_ts(ref) + originate + ntp_ts(recv) + ntp_ts(xmt)
            try:
                s.sendto(pkt, addr)
                self.sntp_answers += 1
            except OSError:
                pass

    def ctl_loop(self):
        path = os.path.join(self.mdir, "ctl.sock")
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(16)
        srv.settimeout(0.5)
        while not self.stop.is_set():
            try:
                c, _ = srv.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.ctl_conn, args=(c,), daemon=True).start()

    def ctl_conn(self, c):
        with c:
            buf = b""
            while not buf.endswith(b"\n"):
                d = c.recv(4096)
                if not d:
                    break
                buf += d
            try:
                req = json.loads(buf.decode() or "{}")
                resp = self.handle(req.get("op", ""), req.get("args", []))
            except Exception as e:  # answer, never die
                resp = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
            c.sendall((json.dumps(resp) + "\n").encode())

    def handle(self, op, args):
        ok = {"ok": True}
        if op == "status":
            with self.lock:
                return {"ok": True, "status": self.status()}
        if op == "on":  # the power button
            with self.lock:
                self.wake_disabled = False
                if self.state == "on":
                    return ok
                if self.state == "booting":
                    self.generation += 1
                    self.state = "off"
            delay = float(args[0]) if args else 0.0
            self.power_on("power-button", delay)
            if delay == 0:
                self.wait_state("on", 10)
            return ok
        if op == "off":  # pull the plug / hold the power button
            kind = args[0] if args else "off"
            self.power_off(kind, "by hand")
            return ok
        if op == "power":  # from the systemctl wrapper; args: KIND [VIA [nowake]]
            return self.request_power(args[0], args[1] if len(args) > 1 else "ssh",
                                      wake_events=not (len(args) > 2 and args[2] == "nowake"))
        if op in ("login", "logout"):  # login [USER [active|disc]]: disc = a disconnected session
            with self.lock:
                self.in_use = op == "login"
                user = args[0] if args else "officeuser"
                if self.in_use:
                    self.session = (user, "Disc" if len(args) > 1 and args[1].lower() == "disc" else "Active")
                self.ev("LOGIN" if self.in_use else "LOGOUT", "user %s%s" % (
                    user, " (disconnected session)" if self.in_use and self.session[1] == "Disc" else ""))
                self.save()
            return ok
        if op == "smb":  # smb on|off: Windows' file sharing (a real smbd) while the machine is on
            with self.lock:
                first = not self.smb and self.smb_proc is None
                self.smb = (args[0] if args else "on") in ("on", "1", "true", "yes")
                self.ev("CONFIG", "smb=%s" % self.smb)
            if first and self.smb:
                threading.Thread(target=self.smb_loop, daemon=True).start()
            return ok
        if op == "refuse-wake":
            with self.lock:
                self.refuse_wake = (args[0] if args else "on") in ("on", "1", "true", "yes")
                self.ev("CONFIG", "refuse-wake=%s" % self.refuse_wake)
                self.save()
            return ok
        if op == "boot-delay":
            with self.lock:
                self.boot_delay = float(args[0])
                self.ev("CONFIG", "boot-delay=%gs" % self.boot_delay)
                self.save()
            return ok
        if op == "ssh-delay":
            with self.lock:
                self.ssh_delay = parse_ssh_delay(args[0])
                self.ev("CONFIG", "ssh-delay=%s" % ("never" if self.ssh_delay is None else "%gs" % self.ssh_delay))
                self.save()
            return ok
        if op == "netloss":
            self.set_netloss(True, float(args[0]) if args else None)
            return ok
        if op == "netback":
            self.set_netloss(False)
            return ok
        if op == "clock-offset":
            with self.lock:
                self.clock_offset = float(args[0])
                self.ev("CLOCK", "offset=%+.3fs (set by hand)" % self.clock_offset)
                self.save()
            return ok
        if op == "set-clock":  # date -s @EPOCH
            with self.lock:
                old = self.clock_offset
                self.clock_offset = float(args[0]) - time.time()
                self.ev("CLOCK", "set to %.3f via %s: offset %+.3fs -> %+.3fs" % (
                    float(args[0]), args[1] if len(args) > 1 else "ssh", old, self.clock_offset))
                self.save()
            return ok
        if op == "event":  # a line from a wrapper (lab-shell logs ssh commands)
            self.ev(args[0], " ".join(args[1:]))
            return ok
        if op == "wait":  # wait STATE [TIMEOUT]
            got = self.wait_state(args[0], float(args[1]) if len(args) > 1 else 60)
            return {"ok": got, "status": self.status(), **({} if got else {"error": "timeout"})}
        return {"ok": False, "error": "unknown op %r" % op}

    def smb_loop(self):
        """Starts bin/win-smbd whenever the machine is on without it (after each boot: powering
        off kills it with everything else in the machine's namespace), like Windows' Server
        service; it starts after the address, so a night that uses it waits for port 445."""
        while not self.stop.is_set():
            with self.lock:
                running = self.smb_proc is not None and self.smb_proc.poll() is None
                if self.smb and self.state == "on" and not running:
                    env = dict(os.environ, LAB_DIR=self.labdir, LAB_HOME=self.home, LAB_PY=sys.executable)
                    self.smb_proc = subprocess.Popen([os.path.join(self.home, "bin", "win-smbd"), "run", self.name],
                                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)
                    self.ev("SMB", "smbd started (file sharing, remote shutdown pipe)")
            self.stop.wait(0.2)

    def wait_state(self, want, timeout):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if self.state == want or self.power == want:
                    return True
            time.sleep(0.05)
        return False

    def watchdog(self):
        while not self.stop.is_set():
            if self.parent:
                try:
                    os.kill(self.parent, 0)
                except ProcessLookupError:
                    self.ev("LAB", "lab process %d gone: agent exits" % self.parent)
                    self.stop.set()
                    return
            time.sleep(0.5)

    def firewall_on(self):
        """Like Windows' default firewall on a private network (network discovery on): ICMP
        echo, every TCP port and all UDP but NetBIOS names (137) from the LAN are dropped (lo
        stays open, for our own sshd check); ARP cannot be filtered this way."""
        rules = [
            "add table inet lab_firewall",
            "add chain inet lab_firewall in { type filter hook input priority 0; policy accept; }",
            'add rule inet lab_firewall in iifname != "lo" meta l4proto { icmp, tcp } drop',
            'add rule inet lab_firewall in iifname != "lo" udp dport != 137 drop',
        ]
        for rule in rules:
            r = subprocess.run(["nft", rule], capture_output=True, text=True)
            if r.returncode != 0:
                self.ev("LAB-ERROR", "nft %s: %s" % (rule, r.stderr.strip()))
                return False
        self.ev("FIREWALL", "drops ICMP, TCP and UDP but 137 from the LAN (answers ARP and NetBIOS only)")
        return True

    def main(self, start_on, in_use, refuse_wake, firewall=False):
        ready = os.path.join(self.mdir, "ready")
        end = time.time() + 20
        while not os.path.exists(ready):
            if time.time() > end:
                print("agent %s: %s never appeared" % (self.name, ready), file=sys.stderr)
                return 1
            time.sleep(0.02)
        self.in_use = in_use
        self.refuse_wake = refuse_wake
        self.ip_cmd("addr", "flush", "dev", self.iface, "scope", "global")
        if firewall and not self.firewall_on():
            return 1
        self.save()
        for fn in (self.wol_loop, self.sntp_loop, self.ctl_loop, self.watchdog):
            threading.Thread(target=fn, daemon=True).start()
        if start_on:
            self.power_on("lab-start", 0)
            self.wait_state("on", 10)
        else:
            self.ev("OFF", "state=off reason=lab-start")
        with open(os.path.join(self.mdir, "agent.ready"), "w") as f:
            f.write("%d\n" % os.getpid())
        signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
        signal.signal(signal.SIGINT, lambda *_: self.stop.set())
        while not self.stop.is_set():
            self.stop.wait(0.5)
        kill_netns(self.myns, exclude={os.getpid()})
        try:
            os.unlink(os.path.join(self.mdir, "ctl.sock"))
        except OSError:
            pass
        return 0


def ntp_ts(t):
    t += NTP_EPOCH_DELTA
    sec = int(t)
    frac = int((t - sec) * (1 << 32)) & 0xFFFFFFFF
    return struct.pack("!II", sec & 0xFFFFFFFF, frac)


def from_ntp(b):
    sec, frac = struct.unpack("!II", b)
    return sec - NTP_EPOCH_DELTA + frac / float(1 << 32)


# ------------------------------------------------------------ sub-commands

def ctl_call(labdir, name, op, args, timeout=90):
    path = os.path.join(labdir, "machines", name, "ctl.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    s.sendall((json.dumps({"op": op, "args": list(args)}) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(65536)
        if not d:
            break
        buf += d
    s.close()
    return json.loads(buf.decode())


def cmd_ctl(a):
    try:
        r = ctl_call(a.lab, a.name, a.op, a.args)
    except (FileNotFoundError, ConnectionRefusedError):
        print("lab ctl: no agent for %r (is the lab running? LAB_DIR=%s)" % (a.name, a.lab), file=sys.stderr)
        return 2
    if "status" in r and a.op in ("status", "wait"):
        st = r["status"]
        if a.field:
            print(st.get(a.field))
        else:
            print(json.dumps(st, sort_keys=True))
    if not r.get("ok"):
        print("lab ctl %s %s: %s" % (a.name, a.op, r.get("error", "failed")), file=sys.stderr)
        return 1
    return 0


def cmd_nas(a):
    """The NAS (this namespace) only pretends to sleep and keeps a simulated clock."""
    mdir = os.path.join(a.lab, "machines", "Server")
    os.makedirs(mdir, exist_ok=True)
    if a.op in ("hibernate", "suspend", "shutdown"):
        write_atomic(os.path.join(mdir, "power"), {"hibernate": "hibernated", "suspend": "suspended",
                                                    "shutdown": "off"}[a.op] + "\n")
        event(a.lab, "Server", "NAS-SLEEP", "%s requested (simulated: the real machine stays up)" % a.op)
        return 0
    if a.op == "set-clock":
        old = read_offset(mdir)
        new = float(a.args[0]) - time.time()
        write_atomic(os.path.join(mdir, "clock_offset"), "%.6f\n" % new)
        event(a.lab, "Server", "CLOCK", "set to %.3f via nas-date: offset %+.3fs -> %+.3fs" % (
            float(a.args[0]), old, new))
        return 0
    print("nas: unknown op %s" % a.op, file=sys.stderr)
    return 2


def cmd_date(argv):
    """`date` with the machine's simulated clock; `date -s X` sets it."""
    labdir = os.environ.get("LAB_DIR")
    name = os.environ.get("LAB_MACHINE")
    if not labdir or not name:
        os.execv("/bin/date", ["date"] + argv)
    mdir = os.path.join(labdir, "machines", name)
    setval = None
    rest = []
    i = 0
    while i < len(argv):
        x = argv[i]
        if x in ("-s", "--set") and i + 1 < len(argv):
            setval = argv[i + 1]
            i += 2
            continue
        if x.startswith("--set="):
            setval = x[6:]
        elif x.startswith("-s") and len(x) > 2:
            setval = x[2:]
        else:
            rest.append(x)
        i += 1
    if setval is not None:
        r = subprocess.run(["/bin/date", "-d", setval, "+%s.%N"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            return 1
        epoch = float(r.stdout.strip())
        if name == "Server":
            ns = argparse.Namespace(lab=labdir, op="set-clock", args=[str(epoch)])
            rc = cmd_nas(ns)
        else:
            r2 = ctl_call(labdir, name, "set-clock", [repr(epoch), "date -s"])
            rc = 0 if r2.get("ok") else 1
        if rc:
            print("date: cannot set date", file=sys.stderr)
            return 1
        os.execv("/bin/date", ["date", "-d", "@%.9f" % epoch] + rest)
    if any(x in ("-d", "--date", "-r", "--reference", "-f", "--file") or x.startswith(("--date=", "-d", "--reference=", "-r", "--file="))
           for x in rest):
        os.execv("/bin/date", ["date"] + rest)
    sim = time.time() + read_offset(mdir)
    os.execv("/bin/date", ["date", "-d", "@%.9f" % sim] + rest)


def sntp_query(host, port=123, timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    t1 = time.time()
    req = struct.pack("!B", (0 << 6) | (4 << 3) | 3) + b"\x00" * 39 + ntp_ts(t1)
    s.sendto(req, (host, port))
    data, _ = s.recvfrom(1024)
    t4 = time.time()
    s.close()
    if len(data) < 48 or data[40:48] == b"\0" * 8:
        raise RuntimeError("bad reply")
    if data[24:32] != req[40:48]:
        raise RuntimeError("originate timestamp does not echo our transmit timestamp")
    t2 = from_ntp(data[32:40])
    t3 = from_ntp(data[40:48])
    offset = ((t2 - t1) + (t3 - t4)) / 2
    delay = (t4 - t1) - (t3 - t2)
    return {"offset": offset, "delay": delay, "stratum": data[1], "mode": data[0] & 7,
            "version": (data[0] >> 3) & 7, "time": t3}


def cmd_sntp(a):
    try:
        r = sntp_query(a.host, a.port, a.timeout)
    except (OSError, RuntimeError) as e:
        print("sntp %s: %s" % (a.host, e), file=sys.stderr)
        return 1
    print(json.dumps(r) if a.json else "%.6f" % r["offset"])
    return 0


def cmd_wol(a):
    mac = parse_mac(a.mac)
    pkt = b"\xff" * 6 + mac * 16 + parse_password(a.password)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if a.via:
        s.bind((a.via, 0))
    for _ in range(a.repeat):
        s.sendto(pkt, (a.broadcast, a.port))
    s.close()
    return 0


def cmd_gen_data(a):
    """A share with real files: nested folders, text and binary, some empty."""
    rnd = random.Random(a.seed)
    words = ("Angebot Rechnung Plan Kunde Projekt Bericht Foto Entwurf Protokoll Vertrag "
             "Zeichnung Liste Notiz Archiv Scan Budget Termin Lager Messung").split()
    dirs = [""]
    for i in range(max(1, a.files // 25)):
        parent = rnd.choice(dirs)
        d = os.path.join(parent, "%s %d" % (rnd.choice(words), i))
        dirs.append(d)
    total = 0
    for i in range(a.files):
        d = rnd.choice(dirs)
        ext = rnd.choice(["txt", "csv", "bin", "dat", "pdf"])
        path = os.path.join(a.dir, d, "%s_%04d.%s" % (rnd.choice(words), i, ext))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        size = 0 if i % 50 == 7 else int(rnd.expovariate(1.0 / (a.kb * 1024)))
        with open(path, "wb") as f:
            if ext in ("txt", "csv"):
                line = ("%s;%d;%s\n" % (rnd.choice(words), i, rnd.random())).encode()
                f.write((line * (size // len(line) + 1))[:size])
            else:
                f.write(rnd.getrandbits(8 * size).to_bytes(size, "little") if size else b"")
        total += size
        mt = time.time() - rnd.randint(3600, 90 * 86400)
        os.utime(path, (mt, mt))
    print("%d files, %d bytes in %s" % (a.files, total, a.dir))
    return 0


def cmd_reap(a):
    left = 0
    for inode in a.netns:
        left += kill_netns(inode, exclude=set(a.exclude) | {os.getpid()}, grace=a.grace)
    if left:
        print("reap: %d processes survived" % left, file=sys.stderr)
    return 1 if left else 0



# ------------------------------------------------------- the Windows side

# cmd.exe's operators: outside double quotes they would chain or redirect commands.
CMD_METACHARACTERS = "&|<>^"
SET_DATE = re.compile(r"^Set-Date -Date \(\(\[DateTimeOffset\]::FromUnixTimeMilliseconds"
                      r"\(\[long\]\((\d{1,12}(?:\.\d{1,9})?)d\*1000\)\)\)\.LocalDateTime\)$")
# The forms of ns.actions.windows_ssh: set_time adjusts by {offset}; get_time prints the clock.
SET_DATE_ADJUST = re.compile(r"^Set-Date -Adjust \(\[TimeSpan\]::FromMilliseconds"
                             r"\(\[long\]\(([-+]?\d{1,12}(?:\.\d{1,9})?)d\*1000\)\)\)$")
GET_TIME = ("[decimal]::Divide([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds(),1000)"
            ".ToString([Globalization.CultureInfo]::InvariantCulture)")
# suspend: .NET's SetSuspendState(state, force, disableWakeEvent) - sleeps with wake events on.
SUSPEND = ("Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Application]::SetSuspendState("
           "[System.Windows.Forms.PowerState]::Suspend, [bool]0, [bool]0)")
NOT_RECOGNIZED = 9009  # cmd.exe's exit code for an unknown program (ssh reports 9009 & 255 = 49)


def windows_words(line):
    """A command line split like Windows programs do (CommandLineToArgvW, without the rare
    backslash rules): blanks separate words, double quotes group and are removed. Returns the
    words, or None when a cmd.exe operator stands outside quotes."""
    words, cur, quoted, have = [], "", False, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            have = True
        elif ch in " \t" and not quoted:
            if have:
                words.append(cur)
            cur, have = "", False
        elif ch in CMD_METACHARACTERS and not quoted:
            return None
        else:
            cur += ch
            have = True
    if have:
        words.append(cur)
    return words


QUSER_HEADER = " USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME"


def quser_table(name, in_use, session=("officeuser", "Active")):
    """What `query user` prints (en-US): a table of sessions and exit 0, or "No User exists
    for *" on stderr and exit 1. A locked console is still "Active"; a disconnected session
    (remote desktop closed, or a user switched away from) is "Disc" with no session name. The
    first column's '>' marks the session quser itself runs in: run over ssh it is in none of
    the listed ones, so no row has it."""
    if not in_use:
        return "", "No User exists for *\r\n", 1
    user, state = session
    t = time.localtime(time.time() - 3600)
    logon = "%d/%d/%d %d:%02d %s" % (t.tm_mon, t.tm_mday, t.tm_year, (t.tm_hour + 11) % 12 + 1, t.tm_min,
                                     "AM" if t.tm_hour < 12 else "PM")
    where, sid, idle = ("console", 1, "none") if state == "Active" else ("", 2, "1:05")
    row = " %-22s%-18s%3d  %-6s%10s   %s" % (user, where, sid, state, idle, logon)
    return QUSER_HEADER + "\r\n" + row + "\r\n", "", 0


def windows_command(labdir, name, line):
    """Runs one ssh command the way the Windows machine would; returns (stdout, stderr, exit)."""
    words = windows_words(line)
    if words is None:
        event(labdir, name, "LAB-ERROR", "cmd.exe operator outside quotes (a shell injection): %s" % line[:300])
        return "", "The syntax of the command is incorrect.\r\n", 1
    if not words:
        return "", "", 0
    prog = words[0].lower()
    if prog.endswith(".exe"):
        prog = prog[:-4]
    args = words[1:]
    via = "ssh (%s)" % line[:120]
    if prog == "shutdown":
        flags = [a.lower() for a in args]
        kind = "poweroff" if "/s" in flags else "hibernate" if "/h" in flags else None
        if "/h" in flags and "/t" in flags:
            return "", "/h cannot be combined with /t.\r\n", 87
        if kind is None:
            return "", "Usage: shutdown [/i | /l | /s | /sg | /r | /g | /a | /p | /h | /e | /o] [/f] [/t xxx]\r\n", 87
        r = ctl_call(labdir, name, "power", [kind, via])
        return "", "", 0 if r.get("ok") else 1
    if prog == "rundll32":
        if args and args[0].lower() == "powrprof.dll,setsuspendstate":
            # rundll32 calls SetSuspendState(window, instance, text, show): the window handle
            # reads as "hibernate", the text's address as "disable wake events", the text
            # itself ("0,1,0") is never read. With hibernation on (Windows' default): the PC
            # hibernates and no magic packet wakes it.
            event(labdir, name, "LAB-ERROR", "rundll32 SetSuspendState: hibernates with wake events disabled")
            r = ctl_call(labdir, name, "power", ["hibernate", via, "nowake"])
            return "", "", 0 if r.get("ok") else 1
        return "", "", 0  # rundll32 says nothing, whatever it was asked
    if prog in ("query", "quser"):
        if prog == "query" and (not args or args[0].lower() != "user"):
            return "", "Invalid parameter(s)\r\n", 1
        st = ctl_call(labdir, name, "status", [])["status"]
        return quser_table(name, st["in_use"], tuple(st.get("session") or ("officeuser", "Active")))
    if prog == "powershell":
        i = 0
        while i < len(args) and args[i].lower() in ("-noprofile", "-noninteractive", "-nologo"):
            i += 1
        if i >= len(args) or args[i].lower() != "-command":
            return "", "powershell: the lab knows -Command only\r\n", 1
        script = " ".join(args[i + 1:])
        if script == SUSPEND:
            # The lab answers at once; a real PC answers "True" only after it woke again, and
            # ssh loses the connection before that (the night judges by the PC going quiet).
            r = ctl_call(labdir, name, "power", ["suspend", via])
            return "", "", 0 if r.get("ok") else 1
        if script == GET_TIME:
            st = ctl_call(labdir, name, "status", [])["status"]
            return "%.3f\r\n" % (time.time() + float(st.get("clock_offset") or 0)), "", 0
        adjust = SET_DATE_ADJUST.match(script)
        if adjust:
            st = ctl_call(labdir, name, "status", [])["status"]
            epoch = time.time() + float(st.get("clock_offset") or 0) + float(adjust.group(1))
            r = ctl_call(labdir, name, "set-clock", [repr(epoch), "powershell Set-Date -Adjust"])
            shown = time.strftime("%A, %d. %B %Y %H:%M:%S", time.localtime(epoch))
            return "\r\n%s\r\n\r\n" % shown, "", 0 if r.get("ok") else 1
        m = SET_DATE.match(script)
        if not m:
            return "", "The term '%s' is not recognized (lab: only the Set-Date form of ns.actions.windows_ssh)\r\n" % script[:80], 1
        epoch = float(m.group(1))
        r = ctl_call(labdir, name, "set-clock", [repr(epoch), "powershell Set-Date"])
        shown = time.strftime("%A, %d. %B %Y %H:%M:%S", time.localtime(epoch))
        return "\r\n%s\r\n\r\n" % shown, "", 0 if r.get("ok") else 1
    if prog == "hostname":
        return name.upper() + "\r\n", "", 0
    return "", ("'%s' is not recognized as an internal or external command,\r\n"
                "operable program or batch file.\r\n" % words[0]), NOT_RECOGNIZED


def cmd_windows_shell():
    """ForceCommand of a Windows lab machine: records SSH_ORIGINAL_COMMAND, answers like Windows."""
    labdir, name = os.environ["LAB_DIR"], os.environ["LAB_MACHINE"]
    line = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    event(labdir, name, "SSH", line[:300])
    out, err, rc = windows_command(labdir, name, line)
    sys.stdout.write(out)
    sys.stderr.write(err)
    sys.stdout.flush()
    sys.stderr.flush()
    return rc


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "date":
        return cmd_date(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "windows-shell":
        return cmd_windows_shell()
    p = argparse.ArgumentParser(prog="agent.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("run")
    r.add_argument("--lab", required=True)
    r.add_argument("--name", required=True)
    r.add_argument("--mac", required=True)
    r.add_argument("--ip", required=True)
    r.add_argument("--iface", default="eth0")
    r.add_argument("--boot-delay", default="2")
    r.add_argument("--off-delay", default="0.7")
    r.add_argument("--ssh-delay", default="0", help="seconds from answering to sshd running after a boot, or never")
    r.add_argument("--secureon", default="")
    r.add_argument("--parent", type=int, default=0)
    r.add_argument("--on", action="store_true")
    r.add_argument("--in-use", action="store_true")
    r.add_argument("--refuse-wake", action="store_true")
    r.add_argument("--firewall", action="store_true",
                   help="drop ICMP, TCP and UDP but 137 from the LAN (answers ARP, and NetBIOS by nmbd while on)")
    r.add_argument("--arp-offload", action="store_true",
                   help="suspended, keep the address and drop all IPv4: the NIC answers ARP only")

    c = sub.add_parser("ctl")
    c.add_argument("--lab", default=os.environ.get("LAB_DIR"))
    c.add_argument("--field")
    c.add_argument("name")
    c.add_argument("op")
    c.add_argument("args", nargs="*")

    n = sub.add_parser("nas")
    n.add_argument("--lab", default=os.environ.get("LAB_DIR"))
    n.add_argument("op")
    n.add_argument("args", nargs="*")

    s = sub.add_parser("sntp")
    s.add_argument("host")
    s.add_argument("--port", type=int, default=123)
    s.add_argument("--timeout", type=float, default=2.0)
    s.add_argument("--json", action="store_true")

    w = sub.add_parser("wol")
    w.add_argument("mac")
    w.add_argument("--via")
    w.add_argument("--broadcast", default="255.255.255.255")
    w.add_argument("--port", type=int, default=9)
    w.add_argument("--password", default="")
    w.add_argument("--repeat", type=int, default=1)

    g = sub.add_parser("gen-data")
    g.add_argument("dir")
    g.add_argument("--files", type=int, default=300)
    g.add_argument("--kb", type=float, default=8)
    g.add_argument("--seed", default="nightshift")

    k = sub.add_parser("reap")
    k.add_argument("--exclude", type=int, nargs="*", default=[])
    k.add_argument("--grace", type=float, default=1.0)
    k.add_argument("netns", nargs="+")

    a = p.parse_args()
    if a.cmd == "run":
        return Agent(a).main(a.on, a.in_use, a.refuse_wake, a.firewall)
    if a.cmd in ("ctl", "nas") and not a.lab:
        print("LAB_DIR is not set (run inside `scripts/lab/lab run -- ...` or pass --lab)", file=sys.stderr)
        return 2
    return {"ctl": cmd_ctl, "nas": cmd_nas, "sntp": cmd_sntp, "wol": cmd_wol,
            "gen-data": cmd_gen_data, "reap": cmd_reap}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main() or 0)
