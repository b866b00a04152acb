rockspec_format = "3.0"
package = "tencentcloud-vod"
version = "0.1.0-1"
source = {
   url = "git+file://.",
}
description = {
   summary = "Tencent Cloud VOD API 3.0 for Lua 5.4 and LuaJIT/OpenResty (CreateAigcSubject, task queries)",
   detailed = [[
A C extension: TC3-HMAC-SHA256 signing with mbedTLS, HTTPS with libcurl
(TLS verification always on, keep-alive), parameters checked before anything
is sent, structured error objects.
]],
   license = "MIT",
}
dependencies = {
   "lua >= 5.1",
}
-- libcurl and mbedTLS (libcurl4-openssl-dev, libmbedtls-dev) are found by
-- CMake, which knows Debian's multiarch include directories.
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
