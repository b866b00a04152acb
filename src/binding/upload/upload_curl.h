/* client:upload in plain Lua: the libcurl driver of an upload's lanes
 * (upload_curl.c). Inside nginx, src/lua/ngx.lua replaces the method. */
#ifndef VOD_UPLOAD_CURL_H
#define VOD_UPLOAD_CURL_H

#include <lua.h>

/* client:upload(params [, opts]) */
int vod_m_upload(lua_State *L);

/* (upload, call box) under pcall: an upload's API call, through the call driver */
int vod_curl_call_p(lua_State *L);

/* Creates the lanes' metatable (once). */
void vod_upload_curl_init(lua_State *L);

#endif
