#!/bin/sh
# The demo: installs what is missing, builds the rock, starts the local fake
# VOD endpoint (HTTPS with a test CA made on the spot), and runs
# examples/create_subject.lua against it.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
sh spec/tools/deps.sh
sh spec/tools/build.sh

DIR="$ROOT/build/demo-fake"
. spec/tools/fake.sh
start_fake "$DIR"
PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$DIR/ports.json")
echo "fake VOD endpoint on https://127.0.0.1:$PORT (test CA: $DIR/ca.pem)"

# the fake endpoint's test credentials, never real ones
TENCENTCLOUD_SECRET_ID=AKIDEXAMPLEFAKEVOD0000000000000000 \
TENCENTCLOUD_SECRET_KEY=fakeVodSecretKeyEXAMPLE0000000000 \
VOD_ENDPOINT="127.0.0.1:$PORT" VOD_CA_FILE="$DIR/ca.pem" VOD_POLL_INTERVAL=0.5 \
LUA_CPATH="$ROOT/build/tree54/lib/lua/5.4/?.so;;" \
  lua5.4 examples/create_subject.lua
