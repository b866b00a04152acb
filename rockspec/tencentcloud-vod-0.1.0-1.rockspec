rockspec_format = "3.0"
package = "tencentcloud-vod"
version = "0.1.0-1"
-- The version's one source: this line (and, as luarocks requires, this file's
-- name). CMakeLists.txt reads it for the C module (vod.VERSION), spec/tools
-- find this file by glob; spec/tools/version_check.sh fails on a copy.
local release = version:match("^(.*)%-%d+$")   -- "X.Y.Z-R" -> "X.Y.Z"
-- The release archive of the version tag (GitHub's archive of tag vX.Y.Z,
-- whose top directory is tencentcloud-vod-lua-X.Y.Z). `make dist` builds the
-- same archive from the checkout (git archive of HEAD) and packs it with this
-- rockspec into tencentcloud-vod-X.Y.Z-R.src.rock, which installs offline.
-- `luarocks make` from a checkout ignores the source block and builds the
-- current directory.
source = {
   url = "https://github.com/tencentcloud-vod/tencentcloud-vod-lua/archive/refs/tags/v" .. release .. ".tar.gz",
   dir = "tencentcloud-vod-lua-" .. release,
}
description = {
   summary = "Tencent Cloud VOD API 3.0 for Lua 5.1 to 5.4 and LuaJIT/OpenResty (CreateAigcSubject, task queries)",
   detailed = [[
A C extension: TC3-HMAC-SHA256 signing with mbedTLS, HTTPS with libcurl
(TLS verification always on, keep-alive), parameters checked before anything
is sent, structured error objects.
]],
   homepage = "https://github.com/tencentcloud-vod/tencentcloud-vod-lua",
   license = "MIT",
}
-- exactly what the suite builds and tests: Lua 5.1, 5.2, 5.3, 5.4, LuaJIT 2.1
dependencies = {
   "lua >= 5.1, < 5.5",
}
-- libcurl built with OpenSSL, mbedTLS, OpenSSL and libexpat (Debian:
-- libcurl4-openssl-dev, libmbedtls-dev, libssl-dev, libexpat1-dev) are found
-- by CMake, which knows Debian's multiarch include directories.
build = {
   type = "cmake",
   variables = {
      CMAKE_BUILD_TYPE = "Release",
      LUA_INCDIR = "$(LUA_INCDIR)",
      LUADIR = "$(LUADIR)",
      LIBDIR = "$(LIBDIR)",
      CMAKE_C_FLAGS = "$(CFLAGS)",
      CMAKE_MODULE_LINKER_FLAGS = "$(LIBFLAG)",
   },
   -- the command-line tool: luarocks installs it with a wrapper that runs it
   -- with the tree's interpreter and module paths (the cmake type honours this)
   install = {
      bin = { tcvod = "bin/tcvod" },
   },
}
-- `luarocks test`, from the top of a checkout, runs the busted specs against
-- the rock installed in a tree (VOD_TREE=DIR, else the module on the usual
-- paths), with Debian's busted: no rock server needed (see docs/development.md)
test = {
   type = "command",
   script = "spec/tools/luarocks_test.lua",
}
