"""Prints the benchmark's table (with the targets of issue #5) and writes
build/bench/results.json. Usage: python3 bench/report.py build/bench"""
import json
import os
import platform
import re
import sys
import time


def wrk_rps(path):
    text = open(path).read()
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return float(m.group(1)) if m else None, int(errors.group(1)) if errors else 0


UPLOAD_ROWS = [("curl", "curl -T (one PUT, no MD5)"),
               ("node-sdk", "COS Node.js SDK, defaults: 1 MiB x 3"),
               ("node-sdk-8x4", "COS Node.js SDK, 8 MiB parts x 4"),
               ("library-5.4", "library client:upload, Lua 5.4"),
               ("library-jit", "library client:upload, LuaJIT")]


def upload_report(d):
    """The upload stage (bench/upload): its table and targets, or None if it did not run."""
    path = os.path.join(d, "upload", "upload.json")
    if not os.path.exists(path):
        return None
    up = json.load(open(path))
    clients = up["clients"]
    print("\nUpload of %d MiB to the fake COS over loopback (%s); load average %.1f before, "
          "%.1f after" % (up["size_bytes"] >> 20, up["placement"], up["load_average_before"][0],
                          up["load_average_after"][0]))
    print("%-36s %9s %7s %7s %10s %8s %11s %9s" % (
        "client (parts x in parallel)", "CPU s/GiB", "user", "sys", "less start", "MiB/s",
        "peak RSS MB", "fake CPU"))
    print("-" * 105)
    for name, label in UPLOAD_ROWS:
        c = clients.get(name)
        if c is None:
            continue
        if not c["available"]:
            print("%-36s not available: %s" % (label, c["reason"]))
            continue
        gib = up["size_bytes"] / (1 << 30)
        print("%-36s %9.2f %7.2f %7.2f %10.2f %8.1f %11.1f %8.0f%%" % (
            label, c["cpu_s_per_gib"], c["user_s"] / gib, c["sys_s"] / gib,
            c["cpu_s_per_gib_less_start"], c["mib_per_s"], c["max_rss_kb"] / 1024,
            100 * c["fake_cpu_share"]))
    idle = up["idle"]
    print("CPU s/GiB: user + sys of the client process over the whole upload; less start: "
          "without what a process that only starts costs: " + ", ".join(
        "%s %.2f s CPU, %.1f MB" % (k, v["cpu_s"], v["max_rss_kb"] / 1024)
        for k, v in sorted(idle.items())))
    defaults = up["library_defaults"]
    rss_limit = defaults["part_size"] * (defaults["concurrency"] + 1) + up["rss_constant_bytes"]
    curl, node = clients.get("curl"), clients.get("node-sdk")
    if not curl or not node:
        print("targets: need the curl and node-sdk entries (BENCH_UPLOAD_ONLY left one out)")
        return up
    targets = {}
    for name in ("library-5.4", "library-jit"):
        lib = clients.get(name)
        if not lib or not lib["available"]:
            targets[name] = "not available" if lib else "not run"
            continue
        cpu = lib["cpu_s_per_gib"]
        targets[name] = {
            "cpu_vs_curl": cpu / curl["cpu_s_per_gib"],
            "cpu_at_most_1.5x_curl": cpu <= 1.5 * curl["cpu_s_per_gib"],
            "cpu_below_node_sdk": cpu < node["cpu_s_per_gib"],
            "rss_below_limit": lib["max_rss_kb"] * 1024 < rss_limit,
        }
    print("targets: library CPU/GiB <= 1.5 x curl's (%.2f s), < the Node.js SDK's (%.2f s, its "
          "defaults); peak RSS < %d MiB x (%d + 1) + %d MiB = %d MiB"
          % (1.5 * curl["cpu_s_per_gib"], node["cpu_s_per_gib"], defaults["part_size"] >> 20,
             defaults["concurrency"], up["rss_constant_bytes"] >> 20, rss_limit >> 20))
    for name, t in sorted(targets.items()):
        if isinstance(t, str):
            print("  %s: %s" % (name, t))
        else:
            print("  %s: %.2fx curl's CPU (%s), below the SDK's: %s, RSS: %s" % (
                name, t["cpu_vs_curl"], "met" if t["cpu_at_most_1.5x_curl"] else "NOT met",
                "met" if t["cpu_below_node_sdk"] else "NOT met",
                "met" if t["rss_below_limit"] else "NOT met"))
    up["targets"] = targets
    up["rss_limit_bytes"] = rss_limit
    return up


def main(d):
    sign = json.load(open(os.path.join(d, "sign.json")))
    lua = {v: json.load(open(os.path.join(d, "lua-%s.json" % v))) for v in ("5.4", "jit")}
    lua_one = {v: json.load(open(os.path.join(d, "lua-%s-one.json" % v))) for v in ("5.4", "jit")}
    floor = {k: json.load(open(os.path.join(d, "curl-%s-sep.json" % k))) for k in ("http", "https")}
    floor_one = {k: json.load(open(os.path.join(d, "curl-%s-one.json" % k))) for k in ("http", "https")}
    sdk = json.load(open(os.path.join(d, "node-sdk-one.json")))
    req = {}
    for v in ("5.4", "jit"):
        runs = [line.split() for line in open(os.path.join(d, "require-%s.txt" % v)) if line.strip()]
        med = lambda i: sorted(float(x[i]) for x in runs)[len(runs) // 2]
        req[v] = {"ms": med(0), "heap_kb": med(1), "rss_kb": med(2)}
    quota = json.load(open(os.path.join(d, "quota.json")))
    ngx_rps, ngx_errors = wrk_rps(os.path.join(d, "wrk-openresty.txt"))
    static_rps, _ = wrk_rps(os.path.join(d, "wrk-static.txt"))
    events = {v: json.load(open(os.path.join(d, "events-%s.json" % v))) for v in ("5.4", "jit")}
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": "%s, %d cores, %s" % (platform.machine(), os.cpu_count(), platform.platform()),
        "placement": "endpoint worker on CPU 0; client on CPU 1 (separate cores) unless "
                     "marked one_core (client on CPU 0 too)",
        "sign": sign, "lua": lua, "bare_libcurl": floor,
        "lua_one_core": lua_one, "bare_libcurl_one_core": floor_one,
        "node_sdk_one_core": sdk, "require": req, "quota": quota,
        "openresty": {"requests_per_s": ngx_rps, "non_2xx": ngx_errors,
                      "static_endpoint_requests_per_s": static_rps},
        "events": events,
    }
    rows = [
        ("sign, key cached (ns/op)", sign["sign_cached_ns"], sign["sign_cached_ns"], "<= 5000"),
        ("sign, cold key (ns/op)", sign["sign_cold_ns"], sign["sign_cold_ns"], ""),
    ]

    def both(label, get, target=""):
        rows.append((label, get(lua["5.4"]), get(lua["jit"]), target))

    both("check+encode+sign+parse, no I/O (ns/op)", lambda r: r["no_io_ns"])
    for kind in ("http", "https"):
        both("%s keep-alive: calls/s" % kind, lambda r, k=kind: r[k + "_keepalive"]["calls_per_s"])
        both("%s keep-alive: client CPU us/call, separate cores" % kind,
             lambda r, k=kind: r[k + "_keepalive"]["cpu_us"])
        both("%s keep-alive: of which kernel (sys), separate cores" % kind,
             lambda r, k=kind: r[k + "_keepalive"]["sys_us"])
        rows.append(("%s keep-alive: libcurl's own HTTP in C, separate cores" % kind,
                     floor[kind]["curl_cpu_us"], floor[kind]["curl_cpu_us"], ""))
        rows.append(("%s keep-alive: client CPU us/call, one core" % kind,
                     lua_one["5.4"][kind + "_keepalive"]["cpu_us"],
                     lua_one["jit"][kind + "_keepalive"]["cpu_us"], "<= 40" if kind == "https" else ""))
        rows.append(("%s keep-alive: of which kernel (sys), one core" % kind,
                     lua_one["5.4"][kind + "_keepalive"]["sys_us"],
                     lua_one["jit"][kind + "_keepalive"]["sys_us"], ""))
        rows.append(("%s keep-alive: libcurl's own HTTP in C, one core" % kind,
                     floor_one[kind]["curl_cpu_us"], floor_one[kind]["curl_cpu_us"], ""))
        both("%s keep-alive: connections opened" % kind,
             lambda r, k=kind: r[k + "_keepalive"]["connections"], "1")
        both("%s new connection per call: calls/s" % kind,
             lambda r, k=kind: r[k + "_new_connection"]["calls_per_s"])
        both("%s new connection per call: CPU us/call" % kind,
             lambda r, k=kind: r[k + "_new_connection"]["cpu_us"])
    # the official Node.js SDK against the same endpoint, every process on CPU 0
    sdk_cpu = sdk["https_keepalive"]["cpu_us"]
    lib_cpu = {v: lua_one[v]["https_keepalive"]["cpu_us"] for v in ("5.4", "jit")}
    ratio = {v: sdk_cpu / lib_cpu[v] for v in lib_cpu}
    sdk["library_cpu_us"] = lib_cpu
    sdk["ratio_sdk_to_library"] = ratio
    rows.append(("https keep-alive: official Node.js SDK, CPU us/call, one core",
                 sdk_cpu, sdk_cpu, ""))
    rows.append(("https keep-alive: Node.js SDK, of which kernel (sys)",
                 sdk["https_keepalive"]["sys_us"], sdk["https_keepalive"]["sys_us"], ""))
    rows.append(("https keep-alive: Node.js SDK, calls/s, one core",
                 sdk["https_keepalive"]["calls_per_s"], sdk["https_keepalive"]["calls_per_s"], ""))
    rows.append(("https keep-alive: Node.js SDK, connections opened",
                 sdk["https_keepalive"]["connections"], sdk["https_keepalive"]["connections"], "1"))
    rows.append(("https keep-alive, one core: SDK CPU / library CPU (x)",
                 ratio["5.4"], ratio["jit"], ""))
    both("fresh client, first HTTPS call, system CA bundle: CPU us",
         lambda r: r["https_first_call_system_bundle"]["cpu_us"], "<= 5000")
    both("RSS after 1 call (KB)", lambda r: r["rss_kb_after_1"])
    both("RSS after 100 000 calls (KB)", lambda r: r["rss_kb_after_n"])
    both("RSS growth (KB)", lambda r: r["rss_kb_after_n"] - r["rss_kb_after_1"], "< 1024")
    rows.append(("require: CPU ms in a fresh process (with dlopen)", req["5.4"]["ms"], req["jit"]["ms"],
                 "<= 5 more than before"))
    rows.append(("require: Lua heap the module adds (KB)", req["5.4"]["heap_kb"], req["jit"]["heap_kb"], ""))
    rows.append(("require: RSS the module adds (KB)", req["5.4"]["rss_kb"], req["jit"]["rss_kb"],
                 "<= 2048 more than before"))
    rows.append(("OpenResty handler -> static HTTPS (requests/s, wrk -t2 -c32)", ngx_rps, "", ""))
    rows.append(("static endpoint alone (requests/s, wrk -t2 -c32)", static_rps, "", ""))

    def ev(label, get, target=""):
        rows.append((label, get(events["5.4"]), get(events["jit"]), target))

    # task events against the fake endpoint (Python: it sets the pace), a full queue
    ev("events: consume_events, events/s (full queue, fake endpoint)",
       lambda r: r["consume_events"]["events_per_s"])
    ev("events: consume_events, client CPU us/event", lambda r: r["consume_events"]["cpu_us"])
    ev("events: by hand with call, events/s", lambda r: r["by_hand_call"]["events_per_s"])
    ev("events: by hand with call, client CPU us/event", lambda r: r["by_hand_call"]["cpu_us"])
    ev("events: consume_events' own CPU us/event (difference)", lambda r: r["overhead_us"])
    ev("events: requests per 16 events (pull + confirm)",
       lambda r: r["consume_events"]["calls"] / r["events"] * 16, "2")
    ev("events: idle consumer, pulls in 10 s (API hold 5 s)", lambda r: r["idle"]["pulls"], "<= 3")
    ev("events: idle consumer, client CPU ms per minute", lambda r: r["idle"]["cpu_ms_per_minute"])
    ev("events: a process that only sleeps, CPU ms per minute (scale)",
       lambda r: r["idle"]["sleeping_process_cpu_ms_per_minute"])

    print()
    print("%-62s %14s %14s   %s" % ("measure", "Lua 5.4", "LuaJIT", "target"))
    print("-" * 100)
    for label, a, b, target in rows:
        fa = "%14.1f" % a if isinstance(a, (int, float)) else "%14s" % a
        fb = "%14.1f" % b if isinstance(b, (int, float)) else "%14s" % b
        print("%-62s %s %s   %s" % (label, fa, fb, target))
    print("\nNode.js SDK: %s (%s) on %s, %s; %.1f us per call against the library's "
          "%.1f (Lua 5.4) and %.1f (LuaJIT), %.1fx and %.1fx; every process on CPU 0"
          % (sdk["sdk"], sdk["sdk_common"], sdk["interpreter"], sdk["agent"], sdk_cpu,
             lib_cpu["5.4"], lib_cpu["jit"], ratio["5.4"], ratio["jit"]))
    print("\nA shared quota of 20 CreateAigcSubject/s, N processes (Lua 5.4 and LuaJIT) x M creates "
          "with the defaults:")
    print("%-22s %8s %8s %8s %10s %14s %12s" % ("processes x creates", "window", "accepted", "lost",
                                                "quota use", "throttled/acc", "slowest (s)"))
    for q in quota:
        print("%-22s %8s %8d %8d %9.1f%% %14.3f %12.2f" % (
            "%d x %d" % (q["processes"], q["creates"] // q["processes"]), q["mode"], q["accepted"],
            q["lost"], q["quota_use_pct"], q["throttled_per_accepted"], q["slowest_wait_s"]))
    print("targets: quota use >= 85%, <= 0.3 throttled per accepted, none lost")
    if ngx_errors:
        print("OpenResty: %d non-2xx responses" % ngx_errors)
    results["upload"] = upload_report(d)
    out = os.path.join(d, "results.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print("\nwritten: %s" % out)


if __name__ == "__main__":
    main(sys.argv[1])
