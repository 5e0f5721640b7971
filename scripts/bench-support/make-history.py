#!/usr/bin/python3
"""make-history.py DIR DAYS [EVERY_SECONDS]: writes DIR/history.jsonl as DAYS days of an
installation would have left it: a cycle record every EVERY_SECONDS (default 360, what
check_every = "6m" makes) and, each night at 03:00, a night of three jobs (one in fifty
failed). Ends an hour before now; prints the number of lines."""

import json
import os
import sys
import time

directory, days = sys.argv[1], float(sys.argv[2])
every = float(sys.argv[3]) if len(sys.argv) > 3 else 360.0
os.makedirs(directory, exist_ok=True)
end = time.time() - 3600
t = end - days * 86400
n = 0
with open(os.path.join(directory, "history.jsonl"), "w") as f:
    while t < end:
        night = int(t) % 86400 // int(every) == 3 * 3600 // int(every)
        f.write(json.dumps({"type": "cycle", "start": t, "end": t + (900 if night else 0.05), "ran": night,
                            "reason": "everybody is offline" if night else "min_interval",
                            "result": "ok" if night else "skipped", "manual": False, "dry_run": False},
                           sort_keys=True, separators=(",", ":")) + "\n")
        n += 1
        if night:
            for i, name in enumerate(("ServerZuBackup1", "Backup1ZuBackup2", "Mail")):
                failed = (int(t) // 86400 + i) % 50 == 0
                f.write(json.dumps({"type": "job", "name": name, "source": "Server", "target": "Backup1",
                                    "start": t + 10 + 300 * i, "end": t + 290 + 300 * i,
                                    "result": "failed" if failed else "ok", "code": 1 if failed else 0,
                                    "files": 1200, "bytes": 734003200}, sort_keys=True, separators=(",", ":")) + "\n")
                n += 1
        t += every
os.chmod(os.path.join(directory, "history.jsonl"), 0o600)
print(n)
