#!/bin/sh
# The demo: installs what is missing, builds the rock, starts the local fake
# VOD endpoint (HTTPS with a test CA made on the spot) and its look-alike of
# COS, and runs examples/pipeline.lua against them: examples/hero.png uploaded
# into VOD, a subject from its URL, a video from the subject, the video's
# completion through consume_events.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
sh spec/tools/deps.sh demo         # the rock on Lua 5.4, python3, openssl, curl: nothing else
sh spec/tools/build.sh 5.4

DIR="$ROOT/build/demo-fake"
. spec/tools/fake.sh
start_fake "$DIR"
PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$DIR/ports.json")
HTTP_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$DIR/ports.json")
COS_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cos_https"])' "$DIR/ports.json")
echo "fake VOD endpoint on https://127.0.0.1:$PORT, fake COS on https://127.0.0.1:$COS_PORT (test CA: $DIR/ca.pem)"
# a demo's pace: the subject ready 1.5 s after its creation, the video 3 s after
# its own; pulls held 0.5 s (the real API holds them up to 5 s) so progress
# shows between them
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
  --data-binary '{"subject_seconds": 1.5, "video_seconds": 3, "pull_wait": 0.5}' \
  "http://127.0.0.1:$HTTP_PORT/_control/config"

# the fake endpoint's test credentials, never real ones
TENCENTCLOUD_SECRET_ID=AKIDEXAMPLEFAKEVOD0000000000000000 \
TENCENTCLOUD_SECRET_KEY=fakeVodSecretKeyEXAMPLE0000000000 \
VOD_ENDPOINT="127.0.0.1:$PORT" VOD_CA_FILE="$DIR/ca.pem" VOD_POLL_INTERVAL=0.5 \
VOD_COS_ENDPOINT="https://127.0.0.1:$COS_PORT" \
LUA_CPATH="$ROOT/build/tree54/lib/lua/5.4/?.so;;" \
LUA_PATH="$ROOT/build/tree54/share/lua/5.4/?.lua;;" \
  lua5.4 examples/pipeline.lua
