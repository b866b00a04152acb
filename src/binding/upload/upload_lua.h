/* client:upload as a Lua object (upload_lua.c): its box, and its lanes a
 * step at a time for a driver written in Lua. */
#ifndef VOD_UPLOAD_LUA_H
#define VOD_UPLOAD_LUA_H

#include <lua.h>

#include "upload.h"

/* Creates the upload's metatable (once). */
void vod_upload_lua_init(lua_State *L);

/* private.start_upload(client, params, opts) -> an upload for cosockets */
int vod_l_upload_start(lua_State *L);

#endif
