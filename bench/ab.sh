#!/bin/sh
# A side-by-side A/B of two builds of the library, for "no slower" claims:
#     sh bench/ab.sh OTHER_ROOT [ROUNDS]
# OTHER_ROOT is another checkout of this project with its trees built
# (sh spec/tools/build.sh there: build/tree54 and build/treejit), e.g. a git
# worktree of the commit before a change. Both sides run against the same
# static nginx endpoint (bench/static-nginx.conf.in, its worker on CPU 0), in
# alternating rounds (A B A B ...), so that the machine's drift falls on both:
#   - plain Lua 5.4, HTTPS kept alive, client CPU per call (bench/bench.lua's
#     keepalive, the client on CPU 0 beside the endpoint, as run.sh's "one core");
#   - the OpenResty handler of bench/openresty-nginx.conf.in (a create through
#     the cosocket transport, kept alive) under wrk -t2 -c32 -d5s, one nginx a
#     side, started and stopped in its round.
# Prints each round and the medians, and writes DIR/ab.json (DIR: build/ab).
set -eu
[ $# -ge 1 ] || { echo "usage: sh bench/ab.sh OTHER_ROOT [ROUNDS]" >&2; exit 2; }
OTHER=$(cd "$1" && pwd)
ROUNDS=${2:-5}
cd "$(dirname "$0")/.."
ROOT=$(pwd)
for side in "$OTHER" "$ROOT"; do
  [ -d "$side/build/tree54" ] && [ -d "$side/build/treejit" ] ||
    { echo "$side: no build/tree54 and build/treejit (sh spec/tools/build.sh there)" >&2; exit 2; }
done
command -v wrk >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
DIR="$ROOT/build/ab"
rm -rf "$DIR"; mkdir -p "$DIR/tmp"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); HTTPS=$(free_port); PORT=$(free_port)
python3 -c 'import sys; sys.path.insert(0, "spec/fake_vod"); import certs; certs.generate(sys.argv[1])' "$DIR"
USER_DIRECTIVE=""
[ "$(id -u)" -eq 0 ] && USER_DIRECTIVE="user root;"
fill() { sed -e "s|@DIR@|$DIR|g" -e "s|@HTTP@|$HTTP|g" -e "s|@HTTPS@|$HTTPS|g" \
             -e "s|@PORT@|$PORT|g" -e "s|@TREE@|$2|g" "$1" > "$3"; }
fill bench/static-nginx.conf.in "$ROOT" "$DIR/static.conf"
nginx -p "$DIR" -c "$DIR/static.conf" -e "$DIR/static-error.log" -g "$USER_DIRECTIVE"
trap 'nginx -p "$DIR" -c "$DIR/static.conf" -e "$DIR/static-error.log" -s stop 2>/dev/null;
      [ -f "$DIR/openresty.pid" ] && nginx -p "$DIR" -c "$DIR/openresty.conf" -s stop 2>/dev/null; true' EXIT
cc -O2 -shared -fPIC -I/usr/include/lua5.4 bench/rusage.c -o "$DIR/rusage.so"
sleep 0.3

: > "$DIR/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    if [ $side = A ]; then T="$OTHER/build"; else T="$ROOT/build"; fi
    # plain Lua 5.4, HTTPS kept alive, the bench of this checkout with the side's module
    BENCH_HTTPS="127.0.0.1:$HTTPS" BENCH_HTTP="127.0.0.1:$HTTP" BENCH_CA="$DIR/ca.pem" \
      BENCH_ONLY=keepalive LUA_CPATH="$DIR/?.so;$T/tree54/lib/lua/5.4/?.so;;" \
      LUA_PATH="$T/tree54/share/lua/5.4/?.lua;;" \
      taskset -c 0 lua5.4 bench/bench.lua > "$DIR/lua-$side-$round.json"
    # the OpenResty handler with the side's LuaJIT tree
    fill bench/openresty-nginx.conf.in "$T/treejit" "$DIR/openresty.conf"
    nginx -p "$DIR" -c "$DIR/openresty.conf" -e "$DIR/openresty-error.log" -g "$USER_DIRECTIVE"
    sleep 0.3
    curl -sf "http://127.0.0.1:$PORT/create" > /dev/null
    wrk -t2 -c32 -d5s "http://127.0.0.1:$PORT/create" > "$DIR/wrk-$side-$round.txt"
    nginx -p "$DIR" -c "$DIR/openresty.conf" -s stop 2>/dev/null
    while [ -f "$DIR/openresty.pid" ]; do sleep 0.1; done
    python3 - "$DIR" "$side" "$round" <<'EOF' | tee -a "$DIR/rounds.txt"
import json, re, sys
d, side, rnd = sys.argv[1:]
lua = json.load(open("%s/lua-%s-%s.json" % (d, side, rnd)))["https_keepalive"]
wrk = open("%s/wrk-%s-%s.txt" % (d, side, rnd)).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
print("round %s %s  lua5.4 https kept alive %.1f us/call  openresty %.0f req/s%s"
      % (rnd, side, lua["cpu_us"], rps, "  NON-2XX %s" % bad.group(1) if bad else ""))
EOF
  done
done
python3 - "$DIR" "$OTHER" "$ROOT" <<'EOF'
import json, re, statistics, sys
d, a_root, b_root = sys.argv[1:]
rows = [l.split() for l in open(d + "/rounds.txt")]
def med(side, i):
    return statistics.median(float(r[i]) for r in rows if r[2] == side)
out = {"A": a_root, "B": b_root, "rounds": len(rows) // 2}
for side in "AB":
    out[side + "_lua_us"] = med(side, 7)
    out[side + "_openresty_rps"] = med(side, 10)
out["lua_us_delta"] = out["B_lua_us"] - out["A_lua_us"]
out["openresty_change_pct"] = 100.0 * (out["B_openresty_rps"] / out["A_openresty_rps"] - 1)
json.dump(out, open(d + "/ab.json", "w"), indent=1)
print("medians over %d rounds:" % out["rounds"])
print("  A %s: lua5.4 %.1f us/call, openresty %.0f req/s" % (a_root, out["A_lua_us"], out["A_openresty_rps"]))
print("  B %s: lua5.4 %.1f us/call, openresty %.0f req/s" % (b_root, out["B_lua_us"], out["B_openresty_rps"]))
print("  B - A: %+.1f us/call; openresty %+.1f %%" % (out["lua_us_delta"], out["openresty_change_pct"]))
EOF
