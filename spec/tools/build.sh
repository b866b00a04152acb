#!/bin/sh
# Builds and installs the rock into build/tree54 (Lua 5.4) and build/treejit
# (LuaJIT 2.1), with `luarocks make --deps-mode=none`, as a user would.
set -eu
cd "$(dirname "$0")/../.."
mkdir -p build
ROCKSPEC=rockspec/tencentcloud-vod-0.1.0-1.rockspec
luarocks --lua-version 5.4 --tree build/tree54 make --deps-mode=none "$ROCKSPEC" >build/luarocks-5.4.log 2>&1 \
  || { cat build/luarocks-5.4.log; exit 1; }
# Debian's luarocks runs Lua 5.1 trees' scripts with lua5.1: this tree's (bin/tcvod) with luajit
printf 'lua_interpreter = "luajit"\n' >build/luarocks-jit-config.lua
LUAROCKS_CONFIG="$PWD/build/luarocks-jit-config.lua" \
luarocks --lua-version 5.1 --tree build/treejit make --deps-mode=none "$ROCKSPEC" \
  LUA_INCDIR=/usr/include/luajit-2.1 >build/luarocks-jit.log 2>&1 \
  || { cat build/luarocks-jit.log; exit 1; }
rm -rf build.luarocks
