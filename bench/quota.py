#!/usr/bin/env python3
"""Quota use under contention, for `make bench`: N processes (Lua 5.4 and
LuaJIT alternately) each create M subjects in a loop with the library's
defaults (no SessionId of their own) through one account's quota of 20
CreateAigcSubject a second at the fake endpoint. For each N: the creates
accepted in the whole one-second windows of the run as a percentage of what
the quota allowed in them, throttled requests per accepted one, the slowest
call's wait, and calls lost (not created).

  python3 bench/quota.py FAKE_HTTP_PORT ROOT M > quota.json
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

QUOTA = 20


def control(port, method, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:%d/_control/%s" % (port, path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def fleet(port, root, n, m, mode):
    control(port, "POST", "reset", {})
    control(port, "POST", "config", {"rate_limit": QUOTA, "rate_mode": mode})
    d = tempfile.mkdtemp()
    procs = []
    for i in range(n):
        lua, tree, ver = ("luajit", "treejit", "5.1") if i % 2 else ("lua5.4", "tree54", "5.4")
        env = dict(os.environ,
                   LUA_CPATH="%s/build/%s/lib/lua/%s/?.so;;" % (root, tree, ver),
                   LUA_PATH="%s/build/%s/share/lua/%s/?.lua;;" % (root, tree, ver))
        procs.append(subprocess.Popen(
            [lua, root + "/spec/support/fleet_worker.lua", "127.0.0.1:%d" % port, str(m),
             "%s/p%d" % (d, i), d + "/go"], env=env))
    time.sleep(0.5)
    open(d + "/go", "w").close()
    for p in procs:
        p.wait()
    ok = lost = throttled = 0
    slowest = seconds = 0.0
    first, last = float("inf"), 0.0
    accepted_at = []
    for i in range(n):
        for line in open("%s/p%d" % (d, i)):
            r = json.loads(line)
            if r.get("done"):
                throttled += r["throttled"]
                seconds = max(seconds, r["seconds"])
                continue
            slowest = max(slowest, r["wait"])
            first = min(first, r["at"] - r["wait"])
            if "task_id" in r:
                ok += 1
                last = max(last, r["at"])
                accepted_at.append(r["at"])
            else:
                lost += 1
    created = len(control(port, "GET", "tasks"))
    # the quota's whole one-second windows between the first request and the
    # last success (the partial ones at either end say more about when the
    # run began than about sharing): what they accepted of what they allowed
    full = range(int(first) + 1, int(last))
    in_full = sum(1 for t in accepted_at if int(t) in full)
    windows = len(full)
    return {"windows": windows, "processes": n, "creates": n * m, "mode": mode, "accepted": ok, "lost": lost,
            "created": created, "seconds": round(seconds, 2),
            "quota_use_pct": round(100.0 * in_full / (max(windows, 1) * QUOTA), 1),
            "throttled_per_accepted": round(throttled / max(ok, 1), 3),
            "slowest_wait_s": round(slowest, 2)}


def main():
    port, root, m = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    out = [fleet(port, root, n, m, "fixed") for n in (1, 2, 4, 8)]
    out.append(fleet(port, root, 4, m, "sliding"))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
