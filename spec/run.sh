#!/bin/sh
# The whole suite, on a fresh Debian 12 machine too (it installs what is missing):
#   1. C unit tests under ctest (signer vectors, UTF-8, suggestions, buffer)
#   2. the generated code against the model; the version's one source; the
#      release rock installed into fresh trees for every interpreter (beside
#      stage 4, which mostly waits)
#   3. the fake endpoint's own self-test (its signer against the published vectors)
#   4. busted specs on Lua 5.4, 5.3, 5.2, 5.1 and LuaJIT 2.1, and the OpenResty
#      specs in a real nginx (one worker, cosockets): side by side, as they
#      mostly wait on the network, each against a fake endpoint of its own
#      (specs set faults and state on the fake: two runs never share one)
#   5. libFuzzer on every C entry point that takes outside input (10 s each here,
#      beside stage 4; `make fuzz` runs them longer)
#   6. the Lua 5.4 specs again with the module built with ASan + UBSan, and
#      under valgrind memcheck (no byte "definitely lost"), side by side: each
#      keeps one core busy
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

stage_done "generated code, version"

echo "== fake endpoint self-test"
python3 spec/fake_vod/selftest.py >build/fake-selftest.log 2>&1
grep -E 'FAIL|passed, [0-9]+ failed' build/fake-selftest.log
count_plain build/fake-selftest.log
stage_done "fake endpoint self-test"

# The release rock's check builds the rock five times (two at a time, under
# strace): it runs beside the busted runs below, which mostly wait on the
# network (its result is counted after them)
sh spec/tools/dist_check.sh >build/dist-check.log 2>&1 &
DIST_PID=$!

# libFuzzer keeps one core busy for a while; the busted runs below mostly wait
# on the network and on the fake endpoint, so the two share the machine (its
# result is counted at its own stage below)
sh spec/tools/fuzz.sh "${FUZZ_SECONDS:-10}" >build/fuzz.log 2>&1 &
FUZZ_PID=$!

. spec/tools/fake.sh

# One busted run in the background, against a fake endpoint of its own
# (build/fake-NAME), stopped when the run ends; its output in
# build/busted-NAME.log, its exit status in build/busted-NAME.rc.
# busted_start NAME TREE LUA_VERSION COMMAND...
BUSTED_RUNS=""
busted_start() {
  name=$1 tree=$2 ver=$3
  shift 3
  (
    start_fake "$ROOT/build/fake-$name" >/dev/null 2>&1 ||
      { echo "not ok - the fake endpoint did not start (build/fake-$name)"; echo 1 >"build/busted-$name.rc"; exit 1; }
    FAKE_VOD_DIR="$ROOT/build/fake-$name" VOD_JIT_TREE="$ROOT/build/treejit" \
      LUA_CPATH="$tree/lib/lua/$ver/?.so;;" LUA_PATH="$tree/share/lua/$ver/?.lua;;" "$@"
    echo $? >"build/busted-$name.rc"
  ) >"build/busted-$name.log" 2>&1 &
  BUSTED_RUNS="$BUSTED_RUNS $name:$!"
}
# busted_wait NAME TITLE [PATTERN]: waits for that run, shows its failures
# (and the lines PATTERN finds) and counts it; its exit status in RC
busted_wait() {
  for r in $BUSTED_RUNS; do
    [ "${r%%:*}" = "$1" ] && wait "${r#*:}"
  done
  echo "== busted on $2"
  # a failure's first lines of diagnostics too: CI shows this output, not the logs
  awk -v pat="^not ok|^1\\.\\.|^soak:${3:+|$3}" '
    $0 ~ pat { print; d = /^not ok/ ? 6 : 0; next }
    d > 0 && /^# / { print; d--; next }
    { d = 0 }' "build/busted-$1.log" | head -60
  count_tap "build/busted-$1.log"
  RC=$(cat "build/busted-$1.rc" 2>/dev/null || echo 1)
}

echo "== busted on Lua 5.4, 5.3, 5.2, 5.1, LuaJIT and nginx, side by side (each its own fake endpoint)"
# the soak (spec/soak_spec.lua) is a third of a run: 10 000 calls on Lua 5.4 and
# LuaJIT, 5 000 on 5.3, 5.2 and 5.1 (the same checks: no task lost or
# duplicated, no memory growth)
for it in lua5.4:tree54:5.4:10000 lua5.3:tree53:5.3:5000 lua5.2:tree52:5.2:5000 lua5.1:tree51:5.1:5000 \
          luajit:treejit:5.1:10000; do
  set -- $(echo "$it" | tr : ' ')
  busted_start "$1" "$ROOT/build/$2" "$3" env VOD_SOAK_CALLS="$4" "$1" /usr/bin/busted -o TAP --exclude-tags=nginx
done
# OpenResty's LuaJIT module in Debian's nginx; the specs run on luajit
busted_start nginx "$ROOT/build/treejit" 5.1 luajit /usr/bin/busted -o TAP --run=nginx
busted_wait lua5.4 "Lua 5.4"
busted_wait lua5.3 "Lua 5.3"
busted_wait lua5.2 "Lua 5.2"
busted_wait lua5.1 "Lua 5.1"
busted_wait luajit "LuaJIT 2.1"
busted_wait nginx "nginx (OpenResty's LuaJIT module in Debian's nginx)"
stage_done "busted on five interpreters and nginx, side by side"

echo "== the release rock: make dist, an offline install into fresh trees (Lua 5.4, 5.3, 5.2, 5.1, LuaJIT)"
wait "$DIST_PID"            # started beside the busted runs
grep -E '^not ok|passed, [0-9]+ failed' build/dist-check.log
count_plain build/dist-check.log
stage_done "the release rock (the rest of its run, after the stages beside it)"

echo "== libFuzzer: every C entry point that takes outside input, ${FUZZ_SECONDS:-10} s each"
wait "$FUZZ_PID"            # started beside the busted runs
grep -E '^fuzz |passed, [0-9]+ failed' build/fuzz.log
count_plain build/fuzz.log
stage_done "libFuzzer (the rest of its run, after the stages beside it)"

# The sanitizer run and the valgrind run, side by side: each keeps one core
# busy, each against its own fake endpoint.
BUSTED_RUNS=""
ASAN_BUILT=0
if sh spec/tools/asan.sh build >build/asan-build.log 2>&1; then
  ASAN_BUILT=1
  # 5 000 soak calls here: LeakSanitizer judges a leak by what is left at
  # exit, not by growth, and every fault comes back a hundred times
  busted_start asan "$ROOT/build/asan/tree" 5.4 \
    env VOD_SOAK_CALLS=5000 sh spec/tools/asan.sh run lua5.4 /usr/bin/busted -o TAP --exclude-tags=nginx
fi
if [ "${SKIP_VALGRIND:-}" != 1 ]; then
  # the soak is too slow under valgrind; they run above
  busted_start valgrind-lua5.4 "$ROOT/build/tree54" 5.4 \
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
    --log-file="$ROOT/build/valgrind.log" --suppressions="$ROOT/spec/tools/valgrind.supp" \
    lua5.4 /usr/bin/busted -o TAP --exclude-tags=nginx,soak
fi

if [ $ASAN_BUILT = 1 ]; then
  busted_wait asan "Lua 5.4 with the module built with AddressSanitizer + UBSan" \
    'ERROR: AddressSanitizer|runtime error|LeakSanitizer'
  if [ "$RC" -eq 86 ]; then
    echo "the sanitizers reported an error: see build/busted-asan.log"; add 0 1
  else
    add 1 0     # the sanitizers' verdict itself
  fi
else
  echo "== busted on Lua 5.4 with the module built with AddressSanitizer + UBSan"
  cat build/asan-build.log; add 0 1
fi
if [ "${SKIP_VALGRIND:-}" != 1 ]; then
  busted_wait valgrind-lua5.4 "Lua 5.4 under valgrind memcheck"
  grep -E 'definitely lost|ERROR SUMMARY' build/valgrind.log
  if [ "$RC" -eq 99 ]; then
    echo "valgrind found memory errors or leaks: see build/valgrind.log"; add 0 1
  else
    add 1 0     # the memcheck verdict itself
  fi
fi
stage_done "busted on Lua 5.4 with ASan + UBSan and under valgrind, side by side"
echo "total: $(($(date +%s) - SUITE_T)) s" >>build/stage-times.log

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
