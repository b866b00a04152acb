#!/bin/sh
# The Lua module built with AddressSanitizer + UndefinedBehaviorSanitizer, for
# running the busted suite (or anything else) on an uninstrumented lua5.4.
#
#   sh spec/tools/asan.sh build            configure and build into build/asan,
#                                          stage build/asan/tree (a Lua tree)
#   sh spec/tools/asan.sh env              print the environment it runs with
#   sh spec/tools/asan.sh run CMD [ARG..]  run CMD with that environment, e.g.
#     FAKE_VOD_DIR=/tmp/fake sh spec/tools/asan.sh run lua5.4 /usr/bin/busted -o TAP
#
# lua5.4 itself is not instrumented, so clang's ASan runtime is preloaded (it
# carries the UBSan handlers too; a separate UBSan runtime is preloaded only
# when it does not), then a no-op dlclose so that C modules stay mapped until
# LeakSanitizer has symbolized its report at exit. Any report makes the
# process exit with status 86.
# LeakSanitizer is on; spec/tools/lsan.supp may name third-party libraries
# only, never this project's code. Child processes inherit the environment,
# so a lua5.4 started by a spec is checked as well; curl and python3 are
# reached through wrappers in build/asan/bin that drop it (see build()).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
B="$ROOT/build/asan"
TREE="$B/tree"
CC=${CC:-clang}

usage() {
  echo "usage: sh spec/tools/asan.sh build | env | run COMMAND [ARG...]" >&2
  exit 2
}

build() {
  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
  mkdir -p "$ROOT/build"
  if ! cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$CC" \
         -DCMAKE_C_FLAGS="$SAN" >"$ROOT/build/asan-cmake.log" 2>&1 ||
     ! cmake --build "$B" --target vod -j2 >>"$ROOT/build/asan-cmake.log" 2>&1; then
    cat "$ROOT/build/asan-cmake.log"
    exit 1
  fi
  rm -rf "$TREE"
  mkdir -p "$TREE/lib/lua/5.4/tencentcloud" "$TREE/share/lua/5.4/tencentcloud/vod"
  cp "$B/tencentcloud/vod.so" "$TREE/lib/lua/5.4/tencentcloud/vod.so"
  # the module's Lua parts, as CMakeLists.txt installs them
  cp src/lua/*.lua "$TREE/share/lua/5.4/tencentcloud/vod/"
  # the command-line tool, run with the environment's LUA_PATH/LUA_CPATH (this tree)
  mkdir -p "$TREE/bin"
  printf '#!/bin/sh\nexec lua5.4 "%s/bin/tcvod" "$@"\n' "$ROOT" >"$TREE/bin/tcvod"
  chmod +x "$TREE/bin/tcvod"
  # lua_close dlclose()s C modules before LeakSanitizer reports at exit, which
  # leaves a leak's stack as "<unknown module>": this shim keeps them loaded.
  printf '%s\n' '/* preloaded by spec/tools/asan.sh: a no-op dlclose */' \
    'int dlclose(void *handle);' 'int dlclose(void *handle) { (void)handle; return 0; }' \
    >"$B/keep_loaded.c"
  "$CC" -shared -fPIC -O1 "$B/keep_loaded.c" -o "$B/keep_loaded.so"
  # Tools the specs start run without the sanitizer environment: they are not
  # ours, and the preloaded runtime deadlocks curl at startup (libp11-kit's
  # constructor calls newlocale, whose first malloc initialises ASan, whose
  # dlerror() takes the setlocale lock newlocale holds).
  rm -rf "${B:?}/bin"
  mkdir -p "$B/bin"
  for tool in curl python3; do
    real=$(command -v "$tool") || continue
    printf '#!/bin/sh\nunset LD_PRELOAD ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS\nexec %s "$@"\n' \
      "$real" >"$B/bin/$tool"
    chmod +x "$B/bin/$tool"
  done
  echo "built $TREE/lib/lua/5.4/tencentcloud/vod.so"
}

# Sets PRELOAD to the sanitizer runtime(s) clang links for -fsanitize=address,undefined.
runtimes() {
  asan=$("$CC" -print-file-name=libclang_rt.asan-x86_64.so)
  [ -f "$asan" ] || { echo "no ASan runtime ($asan): apt-get install libclang-rt-14-dev" >&2; exit 1; }
  PRELOAD=$asan
  [ -f "$B/keep_loaded.so" ] || { echo "run: sh spec/tools/asan.sh build" >&2; exit 1; }
  if command -v nm >/dev/null 2>&1 && ! nm -D "$asan" | grep -q __ubsan_handle_add_overflow; then
    PRELOAD="$PRELOAD $("$CC" -print-file-name=libclang_rt.ubsan_standalone-x86_64.so)"
  fi
  PRELOAD="$PRELOAD $B/keep_loaded.so"
}

print_env() {
  runtimes
  echo "LD_PRELOAD='$PRELOAD'"
  echo "ASAN_OPTIONS='detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86:detect_stack_use_after_return=1:strict_string_checks=1'"
  echo "LSAN_OPTIONS='suppressions=$ROOT/spec/tools/lsan.supp:print_suppressions=0'"
  echo "UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1:exitcode=86'"
  echo "LUA_CPATH='$TREE/lib/lua/5.4/?.so;;'"
  echo "LUA_PATH='$TREE/share/lua/5.4/?.lua;;'"
  echo "PATH='$B/bin:$PATH'"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
  build) build ;;
  env) print_env ;;
  run)
    [ $# -ge 1 ] || usage
    if [ ! -f "$TREE/lib/lua/5.4/tencentcloud/vod.so" ] || [ ! -f "$B/keep_loaded.so" ] ||
       [ ! -x "$TREE/bin/tcvod" ] ||
       [ ! -d "$B/bin" ]; then
      build >&2
    fi
    eval "$(print_env | sed 's/^/export /')"
    exec "$@"
    ;;
  *) usage ;;
esac
