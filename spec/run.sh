#!/bin/sh
# The whole suite, on a fresh Debian 12 machine too (it installs what is missing):
#   1. C unit tests under ctest (signer vectors, UTF-8, suggestions, buffer)
#   2. the generated code against the model; the version's one source; the
#      release rock installed into fresh trees for every interpreter
#   3. the fake endpoint's own self-test (its signer against the published vectors)
#   4. busted specs on Lua 5.4, 5.3, 5.2, 5.1 and LuaJIT 2.1, and the OpenResty
#      specs in a real nginx (one worker, cosockets): side by side, as they
#      mostly wait on the network, each against a fake endpoint of its own
#      (specs set faults and state on the fake: two runs never share one)
#   5. the Lua 5.4 specs again with the module built with ASan + UBSan
#   6. libFuzzer on every C entry point that takes outside input (20 s each here,
#      beside stage 4; `make fuzz` runs them longer)
#   7. the Lua 5.4 specs again under valgrind memcheck: no byte "definitely lost"
# Ends with one line: "N passed, N failed". Each stage's time is in
# build/stage-times.log.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
sh spec/tools/deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p build
PASSED=0
FAILED=0

. spec/tools/counts.sh

: >build/stage-times.log
STAGE_T=$(date +%s)
SUITE_T=$STAGE_T
# stage_done NAME: its wall time since the last one, to build/stage-times.log
stage_done() {
  now=$(date +%s)
  echo "$1: $((now - STAGE_T)) s" >>build/stage-times.log
  STAGE_T=$now
}

echo "== build and install with luarocks (Lua 5.4, 5.3, 5.2, 5.1, LuaJIT)"
if ! sh spec/tools/build.sh all; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
stage_done build

echo "== C unit tests (ctest)"
run_ctest
stage_done ctest

echo "== generated code matches the model (tools/gen_model.py --check)"
if python3 tools/gen_model.py --check >build/gen-check.log 2>&1; then
  echo "ok"; add 1 0
else
  cat build/gen-check.log; add 0 1
fi

echo "== the version has one source (the rockspec): no copy elsewhere"
sh spec/tools/version_check.sh >build/version-check.log 2>&1
grep -E '^not ok|^    |^# |passed, [0-9]+ failed' build/version-check.log
count_plain build/version-check.log

echo "== the release rock: make dist, an offline install into fresh trees (Lua 5.4, 5.3, 5.2, 5.1, LuaJIT)"
sh spec/tools/dist_check.sh >build/dist-check.log 2>&1
grep -E '^not ok|passed, [0-9]+ failed' build/dist-check.log
count_plain build/dist-check.log
stage_done "generated code, version, release rock"

echo "== fake endpoint self-test"
python3 spec/fake_vod/selftest.py >build/fake-selftest.log 2>&1
grep -E 'FAIL|passed, [0-9]+ failed' build/fake-selftest.log
count_plain build/fake-selftest.log
stage_done "fake endpoint self-test"

# libFuzzer keeps one core busy for a while; the busted runs below mostly wait
# on the network and on the fake endpoint, so the two share the machine (its
# result is counted at its own stage below)
sh spec/tools/fuzz.sh "${FUZZ_SECONDS:-20}" >build/fuzz.log 2>&1 &
FUZZ_PID=$!

. spec/tools/fake.sh

# One busted run in the background, against a fake endpoint of its own
# (build/fake-NAME), stopped when the run ends; its output in build/busted-NAME.log.
# busted_start NAME INTERPRETER TREE LUA_VERSION BUSTED_ARGS...
BUSTED_RUNS=""
busted_start() {
  name=$1 lua=$2 tree=$3 ver=$4
  shift 4
  (
    start_fake "$ROOT/build/fake-$name" >/dev/null 2>&1 ||
      { echo "not ok - the fake endpoint did not start (build/fake-$name)"; exit 1; }
    FAKE_VOD_DIR="$ROOT/build/fake-$name" VOD_JIT_TREE="$ROOT/build/treejit" \
      LUA_CPATH="$tree/lib/lua/$ver/?.so;;" LUA_PATH="$tree/share/lua/$ver/?.lua;;" \
      "$lua" /usr/bin/busted -o TAP "$@"
  ) >"build/busted-$name.log" 2>&1 &
  BUSTED_RUNS="$BUSTED_RUNS $name:$!"
}
# busted_wait NAME TITLE: waits for that run and counts it
busted_wait() {
  for r in $BUSTED_RUNS; do
    [ "${r%%:*}" = "$1" ] && wait "${r#*:}"
  done
  echo "== busted on $2"
  grep -E '^not ok|^1\.\.|^soak:' "build/busted-$1.log"
  count_tap "build/busted-$1.log"
}

echo "== busted on Lua 5.4, 5.3, 5.2, 5.1, LuaJIT and nginx, side by side (each its own fake endpoint)"
busted_start lua5.4 lua5.4 "$ROOT/build/tree54" 5.4 --exclude-tags=nginx
busted_start lua5.3 lua5.3 "$ROOT/build/tree53" 5.3 --exclude-tags=nginx
busted_start lua5.2 lua5.2 "$ROOT/build/tree52" 5.2 --exclude-tags=nginx
busted_start lua5.1 lua5.1 "$ROOT/build/tree51" 5.1 --exclude-tags=nginx
busted_start luajit luajit "$ROOT/build/treejit" 5.1 --exclude-tags=nginx
# OpenResty's LuaJIT module in Debian's nginx; the specs run on luajit
busted_start nginx luajit "$ROOT/build/treejit" 5.1 --run=nginx
busted_wait lua5.4 "Lua 5.4"
busted_wait lua5.3 "Lua 5.3"
busted_wait lua5.2 "Lua 5.2"
busted_wait lua5.1 "Lua 5.1"
busted_wait luajit "LuaJIT 2.1"
busted_wait nginx "nginx (OpenResty's LuaJIT module in Debian's nginx)"
stage_done "busted on five interpreters and nginx, side by side"

# the sanitizer and valgrind runs below, one after the other, share one
echo "== starting the fake endpoint"
FAKE_VOD_DIR="$ROOT/build/fake"
start_fake "$FAKE_VOD_DIR" || { echo "0 passed, 1 failed"; exit 1; }
export FAKE_VOD_DIR

run_busted() { # name, interpreter, luarocks tree, Lua version, tags to leave out, [wrapper...]
  name=$1 lua=$2 tree=$3 ver=$4 exclude=$5
  shift 5
  echo "== busted on $name"
  LUA_CPATH="$tree/lib/lua/$ver/?.so;;" LUA_PATH="$tree/share/lua/$ver/?.lua;;" \
    "$@" "$lua" /usr/bin/busted -o TAP --exclude-tags="$exclude" >"build/busted-$name.log" 2>&1
  rc=$?
  grep -E '^not ok|^1\.\.|^soak:' "build/busted-$name.log"
  count_tap "build/busted-$name.log"
  return $rc
}

echo "== busted on Lua 5.4 with the module built with AddressSanitizer + UBSan"
if sh spec/tools/asan.sh build >build/asan-build.log 2>&1; then
  sh spec/tools/asan.sh run lua5.4 /usr/bin/busted -o TAP --exclude-tags=nginx \
    >build/busted-asan.log 2>&1
  arc=$?
  grep -E '^not ok|^1\.\.|ERROR: AddressSanitizer|runtime error|LeakSanitizer' build/busted-asan.log | head -20
  count_tap build/busted-asan.log
  if [ $arc -eq 86 ]; then
    echo "the sanitizers reported an error: see build/busted-asan.log"; add 0 1
  else
    add 1 0     # the sanitizers' verdict itself
  fi
else
  cat build/asan-build.log; add 0 1
fi
stage_done "busted on Lua 5.4 with ASan + UBSan"

echo "== libFuzzer: every C entry point that takes outside input, ${FUZZ_SECONDS:-20} s each"
wait "$FUZZ_PID"            # started beside the busted runs
grep -E '^fuzz |passed, [0-9]+ failed' build/fuzz.log
count_plain build/fuzz.log
stage_done "libFuzzer (the rest of its run, after the stages beside it)"

if [ "${SKIP_VALGRIND:-}" != 1 ]; then
  # the soak's 20 000 calls are too slow under valgrind; they run above
  run_busted valgrind-lua5.4 lua5.4 "$ROOT/build/tree54" 5.4 nginx,soak \
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
    --log-file="$ROOT/build/valgrind.log" --suppressions="$ROOT/spec/tools/valgrind.supp"
  vrc=$?
  grep -E 'definitely lost|ERROR SUMMARY' build/valgrind.log
  if [ $vrc -eq 99 ]; then
    echo "valgrind found memory errors or leaks: see build/valgrind.log"; add 0 1
  else
    add 1 0     # the memcheck verdict itself
  fi
  stage_done "busted on Lua 5.4 under valgrind"
fi
echo "total: $(($(date +%s) - SUITE_T)) s" >>build/stage-times.log

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
