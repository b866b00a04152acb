#!/bin/sh
# The OpenResty example, runnable: builds the rock for LuaJIT, starts the local
# fake VOD endpoint, runs examples/openresty/nginx.conf in Debian's nginx (paths,
# port and CA swapped for local ones, nothing else changed), asks it for a
# subject, shows what a bad request gets, and stops nginx.
#   sh examples/openresty/run.sh
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
sh spec/tools/deps.sh
[ -n "${VOD_SKIP_BUILD:-}" ] || sh spec/tools/build.sh

DIR="$ROOT/build/openresty-example"
mkdir -p "$DIR"
. spec/tools/fake.sh
start_fake "$DIR/fake"
FAKE_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$DIR/fake/ports.json")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# the same nginx.conf, pointed at this checkout's LuaJIT tree, a free port and the fake's CA
python3 - "$ROOT/examples/openresty/nginx.conf" "$DIR/nginx.conf" "$ROOT/build/treejit" "$DIR/fake/ca.pem" "$PORT" <<'EOF'
import re, sys
src, dst, tree, ca, port = sys.argv[1:]
conf = open(src).read()
for pattern, repl in [
    (r"listen 127\.0\.0\.1:8080;", "listen 127.0.0.1:%s;" % port),
    (r'lua_package_path "[^"]*";', 'lua_package_path "%s/share/lua/5.1/?.lua;/usr/share/lua/5.1/?.lua;;";' % tree),
    (r'lua_package_cpath "[^"]*";', 'lua_package_cpath "%s/lib/lua/5.1/?.so;;";' % tree),
    (r"lua_ssl_trusted_certificate [^;]*;", "lua_ssl_trusted_certificate %s;" % ca),
]:
    conf, n = re.subn(pattern, lambda m: repl, conf)
    assert n == 1, pattern
open(dst, "w").write(conf)
EOF

GLOBALS="pid $DIR/nginx.pid; error_log $DIR/error.log;"
[ "$(id -u)" != 0 ] || GLOBALS="$GLOBALS user root;"
stop() {
  nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/error.log" -g "$GLOBALS" -s stop 2>/dev/null || true
  kill "$FAKE_PID" 2>/dev/null || true
}
trap stop EXIT

# the fake endpoint's test credentials, never real ones
TENCENTCLOUD_SECRET_ID=AKIDEXAMPLEFAKEVOD0000000000000000 \
TENCENTCLOUD_SECRET_KEY=fakeVodSecretKeyEXAMPLE0000000000 \
VOD_ENDPOINT="127.0.0.1:$FAKE_PORT" \
  nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/error.log" -g "$GLOBALS"

URL="http://127.0.0.1:$PORT/subjects"
echo "nginx on 127.0.0.1:$PORT, fake VOD endpoint on https://127.0.0.1:$FAKE_PORT"
i=0
# nginx is up when it answers at all (the probe, without an image, gets a 400)
while [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL?name=probe" 2>/dev/null)" = 000 ] && [ $i -lt 50 ]; do
  i=$((i + 1)); sleep 0.1
done
echo "GET /subjects?name=hero&image=...&sub_app_id=221073"
curl -s "$URL?name=hero&sub_app_id=221073&interval=0.05&image=https://example.com/hero.png"
echo "GET /subjects?name=hero   (no image: refused before anything is sent)"
curl -s "$URL?name=hero"
