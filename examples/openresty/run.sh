#!/bin/sh
# The OpenResty example, runnable: builds the rock for LuaJIT, starts the local
# fake VOD endpoint, runs examples/openresty/nginx.conf in Debian's nginx (paths,
# port and CA swapped for local ones, nothing else changed), asks it for a
# subject, then a video from it, whose completion the timer's consume_events
# records; pushes a signed notification and a wrongly signed one; uploads a
# 20 MB file through /media (the body streamed into VOD) and fetches it back;
# shows what a bad request gets, and stops nginx.
#   sh examples/openresty/run.sh
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
sh spec/tools/deps.sh
[ -n "${VOD_SKIP_BUILD:-}" ] || sh spec/tools/build.sh jit

DIR="$ROOT/build/openresty-example"
mkdir -p "$DIR"
. spec/tools/fake.sh
start_fake "$DIR/fake"
FAKE_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$DIR/fake/ports.json")
COS_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cos_http"])' "$DIR/fake/ports.json")
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

# the fake endpoint's test credentials, never real ones; a made-up SignKey
SIGN_KEY=exampleSignKey2024
TENCENTCLOUD_SECRET_ID=AKIDEXAMPLEFAKEVOD0000000000000000 \
TENCENTCLOUD_SECRET_KEY=fakeVodSecretKeyEXAMPLE0000000000 \
VOD_ENDPOINT="127.0.0.1:$FAKE_PORT" VOD_COS_ENDPOINT="http://127.0.0.1:$COS_PORT" \
VOD_SUB_APP_ID=221073 VOD_EVENT_SIGN_KEY="$SIGN_KEY" \
  nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/error.log" -g "$GLOBALS"

URL="http://127.0.0.1:$PORT/subjects"
echo "nginx on 127.0.0.1:$PORT, fake VOD endpoint on https://127.0.0.1:$FAKE_PORT"
i=0
# nginx is up when it answers at all (the probe, without an image, gets a 400)
while [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL?name=probe" 2>/dev/null)" = 000 ] && [ $i -lt 50 ]; do
  i=$((i + 1)); sleep 0.1
done
BASE="http://127.0.0.1:$PORT"
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
echo "GET /subjects?name=hero&image=...&sub_app_id=221073"
OUT=$(curl -s "$URL?name=hero&sub_app_id=221073&interval=0.05&image=https://example.com/hero.png")
echo "$OUT"
SUBJECT_ID=$(json_field "$OUT" subject_id)

echo "GET /videos?subject_id=$SUBJECT_ID&name=hero&prompt=[@hero] waves   (answers at once)"
OUT=$(curl -s "$BASE/videos?sub_app_id=221073&subject_id=$SUBJECT_ID&name=hero&prompt=%5B%40hero%5D%20waves")
echo "$OUT"
TASK_ID=$(json_field "$OUT" task_id)
echo "GET /videos/result?task_id=$TASK_ID   (recorded by the timer's consume_events)"
i=0
while :; do
  OUT=$(curl -s "$BASE/videos/result?task_id=$TASK_ID")
  case $OUT in *PENDING*) ;; *) break ;; esac
  i=$((i + 1)); [ $i -lt 200 ] || break
  sleep 0.05
done
echo "$OUT"

# PUSH: what VOD would post, signed with Sign = MD5(SignKey + T), T ten minutes ahead
T=$(( $(date +%s) + 600 ))
pushed() {
  printf '{"EventType":"AigcVideoTaskComplete","AigcVideoCompleteEvent":{"TaskId":"221073-AigcVideoTask-pushed01",'
  printf '"Status":"FINISH","ErrCodeExt":"","Output":{"FileInfos":[{"FileUrl":"https://example.com/pushed.mp4"}]}},'
  printf '"Sign":"%s","T":%s}' "$(printf '%s%s' "$1" "$T" | md5sum | cut -d' ' -f1)" "$T"
}
echo "POST /vod-events   (a pushed notification, signed)"
curl -s -X POST --data-binary "$(pushed "$SIGN_KEY")" "$BASE/vod-events"
curl -s "$BASE/videos/result?task_id=221073-AigcVideoTask-pushed01"
echo "POST /vod-events   (signed with another key: refused)"
curl -s -o /dev/null -w '%{http_code}\n' -X POST --data-binary "$(pushed wrongKey)" "$BASE/vod-events"

# an upload: 20 MB streamed through nginx into VOD (parts of 8 MiB in parallel), fetched back
head -c 20000000 /dev/urandom >"$DIR/clip.mp4"
echo "POST /media?name=clip.mp4&sub_app_id=221073   (20000000 bytes)"
OUT=$(curl -s --data-binary @"$DIR/clip.mp4" "$BASE/media?name=clip.mp4&sub_app_id=221073")
echo "$OUT"
curl -s -o "$DIR/fetched.mp4" "$(json_field "$OUT" media_url)"
if cmp -s "$DIR/clip.mp4" "$DIR/fetched.mp4"; then echo "media_url serves the file byte for byte"
else echo "media_url serves other bytes than the file's"; fi

echo "GET /subjects?name=hero   (no image: refused before anything is sent)"
curl -s "$URL?name=hero"
