#!/bin/sh
# The whole suite, on a fresh Debian 12 machine too (it installs what is missing):
#   1. C unit tests under ctest (signer vectors, UTF-8, suggestions, buffer)
#   2. the fake endpoint's own self-test (its signer against the published vectors)
#   3. busted specs on Lua 5.4, then on LuaJIT 2.1, against the fake endpoint,
#      then the OpenResty specs in a real nginx (one worker, cosockets)
#   4. the Lua 5.4 specs again with the module built with ASan + UBSan
#   5. libFuzzer on every C entry point that takes outside input (20 s each here,
#      beside stage 3; `make fuzz` runs them longer)
#   6. the Lua 5.4 specs again under valgrind memcheck: no byte "definitely lost"
# Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
sh spec/tools/deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p build
PASSED=0
FAILED=0

. spec/tools/counts.sh

echo "== build and install with luarocks (Lua 5.4, LuaJIT)"
if ! sh spec/tools/build.sh; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

echo "== C unit tests (ctest)"
run_ctest

echo "== generated code matches the model (tools/gen_model.py --check)"
if python3 tools/gen_model.py --check >build/gen-check.log 2>&1; then
  echo "ok"; add 1 0
else
  cat build/gen-check.log; add 0 1
fi

echo "== the release rock: make dist, an offline install into fresh trees (Lua 5.4, LuaJIT)"
sh spec/tools/dist_check.sh >build/dist-check.log 2>&1
grep -E '^not ok|passed, [0-9]+ failed' build/dist-check.log
count_plain build/dist-check.log

echo "== fake endpoint self-test"
python3 spec/fake_vod/selftest.py >build/fake-selftest.log 2>&1
grep -E 'FAIL|passed, [0-9]+ failed' build/fake-selftest.log
count_plain build/fake-selftest.log

# libFuzzer keeps one core busy for a while; the busted runs below mostly wait
# on the network and on the fake endpoint, so the two share the machine (its
# result is counted at its own stage below)
sh spec/tools/fuzz.sh "${FUZZ_SECONDS:-20}" >build/fuzz.log 2>&1 &
FUZZ_PID=$!

echo "== starting the fake endpoint"
FAKE_VOD_DIR="$ROOT/build/fake"
. spec/tools/fake.sh
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

run_busted lua5.4 lua5.4 "$ROOT/build/tree54" 5.4 nginx env
run_busted luajit luajit "$ROOT/build/treejit" 5.1 nginx env

echo "== busted on nginx (OpenResty's LuaJIT module in Debian's nginx)"
VOD_JIT_TREE="$ROOT/build/treejit" LUA_CPATH="$ROOT/build/treejit/lib/lua/5.1/?.so;;" \
  LUA_PATH="$ROOT/build/treejit/share/lua/5.1/?.lua;;" luajit /usr/bin/busted --run=nginx -o TAP \
  >build/busted-nginx.log 2>&1
grep -E '^not ok|^1\.\.' build/busted-nginx.log
count_tap build/busted-nginx.log

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

echo "== libFuzzer: every C entry point that takes outside input, ${FUZZ_SECONDS:-20} s each"
wait "$FUZZ_PID"            # started beside the busted runs
grep -E '^fuzz |passed, [0-9]+ failed' build/fuzz.log
count_plain build/fuzz.log

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
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
