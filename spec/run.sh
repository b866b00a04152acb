#!/bin/sh
# The whole suite, on a fresh Debian 12 machine too (it installs what is missing):
#   1. C unit tests under ctest (signer vectors, UTF-8, suggestions, buffer)
#   2. the fake endpoint's own self-test (its signer against the published vectors)
#   3. busted specs on Lua 5.4, then on LuaJIT 2.1, against the fake endpoint
#   4. the Lua 5.4 specs again under valgrind memcheck: no byte "definitely lost"
# Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
sh spec/tools/deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p build
PASSED=0
FAILED=0

add() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

# Adds the counts of every "N passed, N failed" line in a log.
count_plain() {
  p=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | awk '{s+=$3} END {print s+0}')
  add "$p" "$f"
  [ "$p" -gt 0 ] || add 0 1        # a stage that ran nothing has failed
}

# Adds the counts of a TAP log (busted -o TAP).
count_tap() {
  p=$(grep -cE '^ok ' "$1")
  f=$(grep -cE '^not ok ' "$1")
  add "$p" "$f"
  [ "$p" -gt 0 ] || add 0 1
}

echo "== build and install with luarocks (Lua 5.4, LuaJIT)"
if ! sh spec/tools/build.sh; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

echo "== C unit tests (ctest)"
if cmake -S . -B build/c -DVOD_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Debug >build/cmake.log 2>&1 &&
   cmake --build build/c -j2 >>build/cmake.log 2>&1; then
  (cd build/c && ctest -V) >build/ctest.log 2>&1
  grep -E 'passed, [0-9]+ failed|FAIL|tests passed|tests failed' build/ctest.log
  count_plain build/ctest.log
else
  cat build/cmake.log; add 0 1
fi

echo "== fake endpoint self-test"
python3 spec/fake_vod/selftest.py >build/fake-selftest.log 2>&1
grep -E 'FAIL|passed, [0-9]+ failed' build/fake-selftest.log
count_plain build/fake-selftest.log

echo "== starting the fake endpoint"
FAKE_VOD_DIR="$ROOT/build/fake"
. spec/tools/fake.sh
start_fake "$FAKE_VOD_DIR" || { echo "0 passed, 1 failed"; exit 1; }
export FAKE_VOD_DIR

run_busted() { # name, interpreter, cpath, [wrapper...]
  name=$1 lua=$2 cpath=$3
  shift 3
  echo "== busted on $name"
  LUA_CPATH="$cpath;;" "$@" "$lua" /usr/bin/busted -o TAP >"build/busted-$name.log" 2>&1
  rc=$?
  grep -E '^not ok|^1\.\.' "build/busted-$name.log"
  count_tap "build/busted-$name.log"
  return $rc
}

run_busted lua5.4 lua5.4 "$ROOT/build/tree54/lib/lua/5.4/?.so" env
run_busted luajit luajit "$ROOT/build/treejit/lib/lua/5.1/?.so" env

if [ "${SKIP_VALGRIND:-}" != 1 ]; then
  run_busted valgrind-lua5.4 lua5.4 "$ROOT/build/tree54/lib/lua/5.4/?.so" \
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
    --log-file="$ROOT/build/valgrind.log" --suppressions="$ROOT/spec/tools/valgrind.supp"
  vrc=$?
  grep -E 'definitely lost|ERROR SUMMARY' build/valgrind.log
  if [ $vrc -eq 99 ]; then
    echo "valgrind found memory errors or leaks: see build/valgrind.log"; add 0 1
  else
    add 1 0     # the memcheck verdict itself
  fi
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
