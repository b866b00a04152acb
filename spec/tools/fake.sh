# Sourced by spec/run.sh and examples/run-demo.sh:
#   start_fake DIR   starts the fake VOD endpoint with its files in DIR, waits
#                    until DIR/ports.json is written, sets FAKE_PID, and stops
#                    the server when the calling shell exits.
start_fake() {
  rm -rf "$1"; mkdir -p "$1"
  python3 spec/fake_vod/server.py --dir "$1" >"$1/server.log" 2>&1 &
  FAKE_PID=$!
  trap 'kill $FAKE_PID 2>/dev/null' EXIT INT TERM
  _i=0
  while [ ! -s "$1/ports.json" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
  [ -s "$1/ports.json" ] || { cat "$1/server.log"; return 1; }
}
