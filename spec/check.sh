#!/bin/sh
# The fast tier, `make check`: the C unit tests (ctest) and the busted specs on
# Lua 5.4 against the fake endpoint. No LuaJIT, nginx, sanitizers, fuzzing or
# valgrind: those are in `make test` (spec/run.sh). Installs what is missing.
# Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
sh spec/tools/deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p build
PASSED=0
FAILED=0
. spec/tools/counts.sh

echo "== build and install with luarocks (Lua 5.4)"
sh spec/tools/build.sh 5.4 || { echo "0 passed, 1 failed"; exit 1; }

echo "== C unit tests (ctest)"
run_ctest

echo "== busted on Lua 5.4"
FAKE_VOD_DIR="$ROOT/build/fake-check"
. spec/tools/fake.sh
start_fake "$FAKE_VOD_DIR" || { echo "0 passed, 1 failed"; exit 1; }
export FAKE_VOD_DIR
LUA_CPATH="$ROOT/build/tree54/lib/lua/5.4/?.so;;" LUA_PATH="$ROOT/build/tree54/share/lua/5.4/?.lua;;" \
  lua5.4 /usr/bin/busted -o TAP --exclude-tags=nginx >build/busted-check.log 2>&1
grep -E '^not ok|^1\.\.' build/busted-check.log
count_tap build/busted-check.log

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
