#!/bin/sh
# Builds and installs the rock with `luarocks make --deps-mode=none`, as a user
# would, into one tree per interpreter:
#
#   sh spec/tools/build.sh [all]   build/tree54 (Lua 5.4), build/tree53,
#                                  build/tree52, build/tree51 (Lua 5.1, whose
#                                  tcvod runs on lua5.1) and build/treejit
#                                  (LuaJIT 2.1, whose tcvod runs on luajit)
#   sh spec/tools/build.sh 5.4 jit those trees only (make demo: 5.4)
#
# The builds run one after the other: luarocks builds in ./build.luarocks.
set -eu
cd "$(dirname "$0")/../.."
mkdir -p build
[ $# -gt 0 ] && [ "$1" != all ] || set -- 5.4 5.3 5.2 5.1 jit
for tag in "$@"; do
  case $tag in
    5.4|5.3|5.2|5.1|jit) ;;
    *) echo "usage: sh spec/tools/build.sh [all | 5.4 5.3 5.2 5.1 jit...]" >&2; exit 2 ;;
  esac
done
TAGS=$*
set -- rockspec/*.rockspec
[ $# -eq 1 ] && [ -f "$1" ] || { echo "build: expected one rockspec in rockspec/, found $*" >&2; exit 1; }
ROCKSPEC=$1
# Debian's luarocks runs a Lua 5.1 tree's scripts (bin/tcvod) with lua5.1;
# the LuaJIT tree's are run with luajit
printf 'lua_interpreter = "luajit"\n' >build/luarocks-jit-config.lua
rm -rf build.luarocks
# luarocks runs `cmake --build` without a job count: both cores, as a user's
# make -j would
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
export CMAKE_BUILD_PARALLEL_LEVEL
for tag in $TAGS; do
  if [ "$tag" = jit ]; then
    LUAROCKS_CONFIG="$PWD/build/luarocks-jit-config.lua" \
    luarocks --lua-version 5.1 --tree build/treejit make --deps-mode=none "$ROCKSPEC" \
      LUA_INCDIR=/usr/include/luajit-2.1 >build/luarocks-jit.log 2>&1 \
      || { cat build/luarocks-jit.log; exit 1; }
  else
    luarocks --lua-version "$tag" --tree "build/tree$(echo "$tag" | tr -d .)" make --deps-mode=none \
      "$ROCKSPEC" >"build/luarocks-$tag.log" 2>&1 \
      || { cat "build/luarocks-$tag.log"; exit 1; }
  fi
done
rm -rf build.luarocks
